// faas4j provider-workerd: runs before the function's module (see faas4j-main.js). workerd prints
// console.log, console.warn and console.error alike, so warn and error lines start with a marker
// that the provider reads as the line's level and removes (ConsoleMarks). Nothing else changes:
// a format string (console.warn("%s took %d ms", ...)) stays the first argument, with the marker
// in front of it.
const marks = { warn: "\u001ffaas4j:warn\u001f", error: "\u001ffaas4j:error\u001f" };
for (const level of Object.keys(marks)) {
  const print = console[level].bind(console);
  console[level] = (...args) => typeof args[0] === "string"
    ? print(marks[level] + " " + args[0], ...args.slice(1))
    : print(marks[level], ...args);
}
