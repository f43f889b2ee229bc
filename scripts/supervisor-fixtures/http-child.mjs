// A stand-in child for the supervisor tests: answers every HTTP request with "<name> <pid>" on 127.0.0.1:<port>.
// On SIGTERM it appends "<name>:SIGTERM" to <order file> and exits 0, or, with --ignore-sigterm, keeps serving
// (a child that hangs on stop).
import { appendFileSync } from "node:fs";
import http from "node:http";

const [port, name, orderFile, mode] = process.argv.slice(2);
const server = http.createServer((_request, response) => response.end(`${name} ${process.pid}`));
server.listen(Number(port), "127.0.0.1", () => console.log(`${name} listening on ${port}`));
process.on("SIGTERM", () => {
  if (orderFile) appendFileSync(orderFile, `${name}:SIGTERM\n`);
  if (mode === "--ignore-sigterm") return;
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
