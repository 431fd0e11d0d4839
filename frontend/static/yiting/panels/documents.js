// Documents panel: the reader on tablets, upload/distribution/presenter on the console.
import { mountDocsConsole } from "../documents/console.js";
import { mountDraftsConsole } from "../documents/drafts_console.js";
import { mountReader } from "../documents/reader.js";

export function mountTablet(client, ctx) {
  return mountReader(client, ctx);
}

export function mountConsole(client, ctx) {
  mountDraftsConsole(client, ctx); // 修改对照, inside the documents card
  return mountDocsConsole(client, ctx);
}

export function mountDisplay(client, ctx) {}
