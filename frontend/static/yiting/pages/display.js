// Wall display: read-only; current item, speaker, vote.
import { setup } from "../core.js";
import * as floor from "../panels/floor.js";
import * as vote from "../panels/vote.js";

const { client, ctx } = setup();
for (const panel of [floor, vote]) panel.mountDisplay(client, ctx);
client.connect();
