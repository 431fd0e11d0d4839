// Secure context (issue 24): browsers give the camera, the microphone and Service
// Workers only to HTTPS pages or loopback. A tablet that opened the server over plain
// HTTP at a LAN address (a mis-set room) has none of them; the page says why instead of
// failing silently, and the socket tells the server so the clerk's console counts it.

// True when this page cannot have camera or offline reading (plain HTTP, not loopback).
export function insecureHere() {
  return window.isSecureContext === false;
}

// The query the socket's address carries so the server knows (nothing when secure).
export function secureQuery() {
  return insecureHere() ? "?secure=0" : "";
}
