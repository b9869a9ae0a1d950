/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/haproxy.ts > TAP > renders the config Patroni recommends > haproxy.cfg 1`] = `
global
    maxconn 200

defaults
    mode tcp
    retries 2
    timeout client 30m
    timeout connect 4s
    timeout server 30m
    timeout check 5s

listen patroni-primary
    bind 127.0.0.1:25430
    option httpchk OPTIONS /primary
    http-check expect status 200
    default-server inter 3000ms fall 3 rise 2 on-marked-down shutdown-sessions
    server pg1 127.0.0.1:25410 maxconn 100 check port 25420
    server pg2 127.0.0.1:25411 maxconn 100 check port 25421

`
