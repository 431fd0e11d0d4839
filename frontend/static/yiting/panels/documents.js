// documents panel: filled by its feature issue. Each panel exports the three mount functions.
export function mountTablet(client, ctx) {}
export function mountConsole(client, ctx) {}
export function mountDisplay(client, ctx) {}
