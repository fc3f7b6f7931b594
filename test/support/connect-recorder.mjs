// Preloaded with NODE_OPTIONS="--import <this file>" into a CLI process under test: records the destination
// of every outbound TCP connection (net.Socket#connect, which tls.connect and http use too) as one line
// "host:port" in the file named by DOLPHIN_TEST_CONNECT_LOG. Tests then fail on any unexpected destination.
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const log = process.env.DOLPHIN_TEST_CONNECT_LOG;
if (log) {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    const a = args[0];
    let dest;
    if (Array.isArray(a)) dest = `${a[0]?.host ?? 'localhost'}:${a[0]?.port}`;
    else if (a !== null && typeof a === 'object') dest = a.path !== undefined ? `unix:${a.path}` : `${a.host ?? 'localhost'}:${a.port}`;
    else dest = typeof args[1] === 'string' ? `${args[1]}:${a}` : `localhost:${a}`;
    appendFileSync(log, `${dest}\n`);
    return connect.apply(this, args);
  };
}
