// strip-js-comments.mjs: drops whole-line // comments from our own scripts in the built
// site (the sources in web/ keep them; the gzip budget counts what is served).
// Only lines whose first non-blank characters are // go; code, strings and trailing
// comments are untouched, so nothing that runs changes.
//   node scripts/strip-js-comments.mjs SITE_DIR file.js ...
import fs from "node:fs";
import path from "node:path";

const [dir, ...files] = process.argv.slice(2);
for (const f of files) {
  const p = path.join(dir, f);
  const text = fs.readFileSync(p, "utf8");
  if (text.includes("`") && /`[^`\n]*\n/.test(text.replace(/^\s*\/\/.*$/gm, ""))) {
    console.error(`strip-js-comments: ${f} has a multi-line template string; left as it is`);
    continue;
  }
  const out = text.split("\n").filter((line) => !/^\s*\/\//.test(line)).join("\n");
  fs.writeFileSync(p, out);
}
