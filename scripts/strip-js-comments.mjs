// strip-js-comments.mjs: drops whole-line // comments from our own scripts in the built
// site (the sources in web/ keep them; the gzip budget counts what is served).
// Only lines whose first non-blank characters are // go; code, strings and trailing
// comments are untouched, so nothing that runs changes. A file with a backtick or a
// line-continuing backslash outside those lines (a string that could span a line that
// starts with //) stops the build rather than be stripped or left as it is unnoticed.
//   node scripts/strip-js-comments.mjs SITE_DIR file.js ...
import fs from "node:fs";
import path from "node:path";

const [dir, ...files] = process.argv.slice(2);
for (const f of files) {
  const p = path.join(dir, f);
  const text = fs.readFileSync(p, "utf8");
  const code = text.replace(/^\s*\/\/.*$/gm, "");
  if (code.includes("`") || /\\\r?\n/.test(code)) {
    console.error(`strip-js-comments: ${f} has a template string or a continued line; strip it by hand or teach this script`);
    process.exit(1);
  }
  const out = text.split("\n").filter((line) => !/^\s*\/\//.test(line)).join("\n");
  fs.writeFileSync(p, out);
}
