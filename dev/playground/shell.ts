/** The page's HTML and CSS: a Slack-like frame the script fills from the event stream. */
import { escapeHtml } from './mrkdwn.js';
import type { PlaygroundPeople } from './people.js';

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.46 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d1c1d;display:flex;height:100vh}
.sidebar{width:260px;background:#3f0e40;color:#e8dde8;display:flex;flex-direction:column;padding:12px 0;overflow:auto}
.ws{font-weight:800;font-size:17px;padding:0 16px 10px;color:#fff}
.who{padding:0 16px 12px;font-size:13px}.who select{width:100%;margin-top:4px;padding:4px;border-radius:4px}
.nav-head{padding:10px 16px 4px;font-size:13px;opacity:.8}
.nav-item{display:block;width:100%;text-align:left;background:none;border:0;color:inherit;padding:4px 26px;font:inherit;cursor:pointer}
.nav-item:hover{background:#350d36}.nav-item.active{background:#1164a3;color:#fff}.nav-item.unread{font-weight:800;color:#fff}
.refused{margin:auto 12px 0;background:#fff3f3;color:#1d1c1d;border-radius:6px;padding:6px 8px;font-size:13px}
.refused summary{cursor:pointer;font-weight:700;color:#a51c1c}
.explain{margin:8px 12px 0;background:#f4f8ff;color:#1d1c1d;border-radius:6px;padding:6px 8px;font-size:12px}
.explain summary{cursor:pointer;font-weight:700}
.explain pre{white-space:pre-wrap;margin:6px 0 0;font-size:11px}
.refusal{border-top:1px solid #f0caca;padding:4px 0}.refusal ul{margin:2px 0 0 16px;padding:0}
main{flex:1;display:flex;flex-direction:column;min-width:0}
#title{padding:12px 20px;border-bottom:1px solid #ddd;font-weight:800;font-size:18px;display:flex;gap:16px;align-items:center}
.tabs button{background:none;border:0;border-bottom:2px solid transparent;font:inherit;font-size:14px;padding:4px 2px;cursor:pointer}
.tabs button.on{border-color:#1264a3;font-weight:700}
#toasts .toast{margin:8px 20px;padding:8px 12px;background:#fff8db;border:1px solid #f2d675;border-radius:6px}
#timeline{flex:1;overflow:auto;padding:8px 0}
.message{padding:6px 20px}.message:hover{background:#f8f8f8}
.message.ephemeral{background:#f4f8fc;border-left:3px solid #1264a3}
.only-you{font-size:12px;color:#616061}
.msg-head{display:flex;gap:6px;align-items:baseline}.author{font-weight:800}
.app-badge{font-size:10px;background:#ddd;color:#555;padding:0 3px;border-radius:2px;font-weight:700}
.when{font-size:12px;color:#616061}
.thread{margin:6px 0 4px 24px;border-left:3px solid #ddd;padding-left:4px}.thread-head{font-size:12px;color:#1264a3;font-weight:700;padding-left:20px}
.thread .message{padding:4px 16px}
.block{margin:4px 0}.section{display:flex;gap:12px;align-items:flex-start}.section .main{flex:1;min-width:0}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:6px 16px;margin-top:4px}
.context{font-size:13px;color:#616061;display:flex;gap:8px;flex-wrap:wrap}
.actions{display:flex;gap:8px;flex-wrap:wrap;align-items:center}
h3.header{font-size:18px;margin:6px 0}
hr.divider{border:0;border-top:1px solid #ddd}
.btn{border:1px solid #bbb;background:#fff;border-radius:4px;padding:4px 12px;font:inherit;font-size:14px;font-weight:700;cursor:pointer}
.btn.primary{background:#007a5a;border-color:#007a5a;color:#fff}.btn.danger{background:#e01e5a;border-color:#e01e5a;color:#fff}
.link{background:none;border:0;color:#1264a3;cursor:pointer;font:inherit;font-size:12px;padding:0}
code{background:#f6f6f6;border:1px solid #e4e4e4;border-radius:3px;padding:0 3px;color:#c01343;font-size:13px}
pre{background:#f6f6f6;border:1px solid #e4e4e4;border-radius:4px;padding:8px;white-space:pre-wrap;word-break:break-all;font-size:13px}
.quote{display:block;border-left:4px solid #ddd;padding-left:8px}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
a{color:#1264a3}
.overflow{position:relative}.overflow summary{list-style:none;cursor:pointer;border:1px solid #bbb;border-radius:4px;padding:0 8px;font-weight:800}
.overflow summary::-webkit-details-marker{display:none}
.overflow .menu{position:absolute;right:0;z-index:5;background:#fff;border:1px solid #ccc;border-radius:6px;box-shadow:0 4px 12px rgba(0,0,0,.15);padding:4px 0;min-width:140px}
.menu-item{display:block;width:100%;text-align:left;background:none;border:0;padding:6px 14px;font:inherit;cursor:pointer}.menu-item:hover{background:#1264a3;color:#fff}
select,input[type=text],input[type=date],textarea{font:inherit;padding:6px 8px;border:1px solid #bbb;border-radius:4px;width:100%;max-width:100%}
.section select,.actions select{width:auto}
.input .label{display:block;font-weight:700;margin-bottom:4px}.optional{font-weight:400;color:#616061}
.hint{font-size:13px;color:#616061;margin-top:2px}
.has-error input,.has-error textarea,.has-error select{border-color:#e01e5a}.error{color:#e01e5a;font-size:13px;margin-top:2px}
.radio{display:block}
#composer{padding:12px 20px;border-top:1px solid #ddd}#box{width:100%;padding:10px;border:1px solid #999;border-radius:8px;font:inherit}
.empty{padding:20px;color:#616061}
.home{padding:8px 20px}
#overlay{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center;z-index:10}
#overlay[hidden],#confirm[hidden]{display:none}
.modal{background:#fff;border-radius:8px;width:540px;max-height:90vh;display:flex;flex-direction:column;box-shadow:0 18px 48px rgba(0,0,0,.35)}
.modal-head{display:flex;align-items:center;gap:8px;padding:16px 20px;border-bottom:1px solid #ddd}.modal-head h2{flex:1;margin:0;font-size:20px}
.modal-head .x{font-size:24px;color:#616061}
.modal-body{padding:12px 20px;overflow:auto}.modal-body .block.input{margin:12px 0}
.modal-foot{display:flex;justify-content:flex-end;gap:8px;padding:12px 20px;border-top:1px solid #ddd}
.banner{background:#fde8ee;color:#a0003a;padding:8px 20px}
.destinations{width:340px;flex:none;border-left:1px solid #ddd;background:#fafafa;overflow:auto;font-size:13px}
.destinations>h2{margin:0;padding:12px 16px 2px;font-size:18px}
.destinations .dest-note{padding:0 16px 8px;color:#616061;border-bottom:1px solid #ddd}
.dest-section{padding:8px 16px;border-bottom:1px solid #eee}.dest-section h3{margin:0 0 6px;font-size:14px}
.dest-offered,.dest-arrivals{margin:0;padding-left:18px}.dest-arrivals li{margin-bottom:4px}
.dest-empty{color:#616061}
.dest-path{margin-bottom:8px}.dest-path>code{word-break:break-all}
.dest-version{margin:4px 0 0 8px;padding:4px 8px;border-left:3px solid #ddd;background:#fff}
.dest-version.current{border-left-color:#007a5a}
.dest-tag{font-size:11px;background:#007a5a;color:#fff;border-radius:3px;padding:0 4px}
.dest-hidden{letter-spacing:2px}
#confirm{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center;z-index:20}
`;

export function shellHtml(input: {
  people: PlaygroundPeople;
  appName: string;
  command: string;
  /** The Destinations panel beside Slack (the playground has the fake Vault and GitHub behind it). */
  destinations?: boolean;
}): string {
  const { people, appName, command } = input;
  const destinations = input.destinations
    ? '<aside class="destinations" aria-label="Destinations"><h2>Destinations</h2>' +
      '<div class="dest-note">What the Vault and GitHub behind the playground hold, live. A secret stays there: ' +
      'shown as ••••, never read out.</div><div id="destinations"></div></aside>'
    : '';
  const options = people.people
    .map((p) => `<option value="${escapeHtml(p.id)}">${escapeHtml(p.name)} — ${escapeHtml(p.part)}</option>`)
    .join('');
  const channels = people.channels
    .map(
      (c) =>
        `<button type="button" class="nav-item" data-conv="${escapeHtml(c.id)}" data-name="#${escapeHtml(c.name)}"># ${escapeHtml(c.name)}</button>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Keyhouse playground</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>${CSS}</style></head>
<body data-command="${escapeHtml(command)}" data-general="${escapeHtml(people.general)}">
<aside class="sidebar">
  <div class="ws">Keyhouse playground</div>
  <label class="who">You are<select id="who">${options}</select></label>
  <label class="who">Your Slack language<select id="language"><option value="en-US">English (en-US) · UTC</option><option value="ko-KR">한국어 (ko-KR) · Asia/Seoul</option></select></label>
  <div class="nav-head">Channels</div>${channels}
  <div class="nav-head">Apps</div>
  <button type="button" class="nav-item" data-conv="app" data-name="${escapeHtml(appName)}">${escapeHtml(appName)}</button>
  <details class="explain"><summary>What you may do (policy explain)</summary><pre id="explain"></pre></details>
  <details class="refused"><summary>Refused by Slack (<span id="refused-count">0</span>)</summary><div id="refusals"></div></details>
</aside>
<main>
  <div id="title"><span id="conv-name"></span><span class="tabs" id="tabs" hidden><button type="button" data-tab="home">Home</button> <button type="button" data-tab="messages">Messages</button></span></div>
  <div id="toasts"></div>
  <div id="timeline"></div>
  <form id="composer" autocomplete="off"><input id="box" aria-label="Message" placeholder="Type ${escapeHtml(command)} help, ${escapeHtml(command)} or ${escapeHtml(command)} list"></form>
</main>
${destinations}
<div id="overlay" hidden></div>
<div id="confirm" hidden></div>
<script type="module" src="/page.js"></script>
</body></html>`;
}
