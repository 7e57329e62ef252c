/** Delivery where a key is used (product.md §12): the writer over GitHub and Vault, and its start-up check. */
export { type ConfiguredServices, destinationProblems } from './check.js';
export { type DestinationClients, Destinations } from './writer.js';
