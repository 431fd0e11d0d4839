// Member tablet: agenda, check-in, then the feature panels.
import { setup } from "../core.js";
import * as documents from "../panels/documents.js";
import * as floor from "../panels/floor.js";
import * as vote from "../panels/vote.js";
import * as recording from "../panels/recording.js";
import { errorText } from "../errors.js";

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
for (const panel of [documents, floor, vote, recording]) panel.mountTablet(client, ctx);
client.connect();
