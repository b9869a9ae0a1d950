/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/render/etcd-config.ts > TAP > renders a member of a new 3-member cluster > etcd.yml 1`] = `
name: etcd1
data-dir: /srv/etcd1
listen-client-urls: http://127.0.0.1:25002
advertise-client-urls: http://127.0.0.1:25002
listen-peer-urls: http://127.0.0.1:25003
initial-advertise-peer-urls: http://127.0.0.1:25003
initial-cluster: etcd0=http://127.0.0.1:25001,etcd1=http://127.0.0.1:25003,etcd2=http://127.0.0.1:25005
initial-cluster-state: new
initial-cluster-token: birthday-etcd
enable-v2: false
enable-grpc-gateway: true
logger: zap
log-outputs:
  - stderr

`
