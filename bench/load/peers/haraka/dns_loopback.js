// dns_loopback.js: loaded with `node --require` by bench/load/peers/haraka.sh so that every DNS
// query Haraka makes goes to the benchmark's own server (HARAKA_BENCH_DNS, "127.0.0.1:5353").
// dns.setServers covers dns.resolve*/dns.reverse and dns.promises; a `new Resolver()` would
// still read /etc/resolv.conf, so both Resolver classes are wrapped too (haraka-net-utils
// makes its own). dns.lookup (getaddrinfo) is not covered: the bench config gives IPs only.
'use strict'

const dns = require('node:dns')

const server = process.env.HARAKA_BENCH_DNS
if (!server || !/^127\.\d+\.\d+\.\d+(:\d+)?$/.test(server)) {
  throw new Error(`HARAKA_BENCH_DNS must be a loopback IPv4 server, got "${server}"`)
}
const servers = [server]
dns.setServers(servers)

for (const ns of [dns, dns.promises]) {
  const Base = ns.Resolver
  ns.Resolver = class LoopbackResolver extends Base {
    constructor(options) {
      super(options)
      this.setServers(servers)
    }
  }
}
