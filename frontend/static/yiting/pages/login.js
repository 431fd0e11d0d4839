// The login page: nobody is logged in here, so no page image a reader received (a
// confidential one is watermarked for that reader) and no kept tablet page may stay on
// this device, however the last session ended (logout, expiry, another login).
import { dropAllPages } from "../documents/api.js";

dropAllPages();
