export {
  type Area,
  Catalog,
  type Catalogs,
  type MessageId,
  type Messages,
  TRANSLATIONS,
  type Translation,
  type Values,
} from './catalog.js';
export { errorSaying, said } from './error-words.js';
