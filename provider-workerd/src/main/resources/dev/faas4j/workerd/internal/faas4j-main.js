// faas4j provider-workerd: the main module of an ES-module function. It loads faas4j-console.js
// first, then offers everything the function's own module (worker.js, unchanged, so its line
// numbers are its own) exports.
import "./faas4j-console.js";
export * from "./worker.js";
export { default } from "./worker.js";
