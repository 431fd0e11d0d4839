// Member tablet, document first: the reader on the whole screen (documents/reader.js), the
// frame around it (tablet/shell.js: top bar, drawers, floor dock), the vote as a sheet
// (tablet/votesheet.js), and the feature panels shared with the console and the wall.
import { setup } from "../core.js";
import * as documents from "../panels/documents.js";
import * as floor from "../panels/floor.js";
import * as vote from "../panels/vote_tablet.js";
import * as recording from "../panels/recording.js";
import { errorText } from "../errors.js";
import { mountShell } from "../tablet/shell.js";
import { mountVoteSheet } from "../tablet/votesheet.js";
import { mountNotices } from "../tablet/notices.js";

const { client, ctx } = setup();
const btn = document.getElementById("check-in");
const badge = document.getElementById("checked-in");
client.on("render", () => {
  if (ctx.member == null) return;
  const present = ctx.state.attendance.present.includes(ctx.member);
  btn.hidden = present;
  badge.hidden = !present;
});
btn.addEventListener("click", () => {
  btn.disabled = true;
  client.send("attendance.check_in", {}, { idempotent: true })
    .catch((err) => alert(errorText(err)))
    .finally(() => { btn.disabled = false; });
});
mountShell(client, ctx);
for (const panel of [documents, floor, vote, recording]) panel.mountTablet(client, ctx);
mountVoteSheet(client, ctx);
mountNotices(client, ctx); // 会务通知 bar and 呼叫服务 in the top bar
client.connect();
