// serve.mjs: a tiny static file server for the site, on 127.0.0.1 only.
//   node scripts/serve.mjs DIR [PORT]
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(process.argv[2] || "build-wasm/site");
const port = Number(process.argv[3] || 8000);
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".png": "image/png",
  ".csv": "text/csv", ".svg": "image/svg+xml", ".txt": "text/plain" };

const server = http.createServer((req, res) => {
  let p;
  try { p = decodeURIComponent(new URL(req.url, "http://x").pathname); } catch { res.writeHead(400).end(); return; }
  if (p.endsWith("/")) p += "index.html";
  const file = path.join(root, path.normalize(p));
  if (!file.startsWith(root + path.sep)) { res.writeHead(403).end(); return; }
  fs.readFile(file, (err, data) => {
    if (err) { res.writeHead(404, { "content-type": "text/plain" }).end("not found"); return; }
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream",
      "cache-control": "no-cache" });
    res.end(data);
  });
});
server.listen(port, "127.0.0.1", () => console.log(`factlab: serving ${root} on http://127.0.0.1:${port}/`));
