#!/usr/bin/env node
import { EC2Client } from '@aws-sdk/client-ec2'
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { SSMClient } from '@aws-sdk/client-ssm'
import { runCli } from './cli/run-cli.js'
import { openSsh } from './ssh/session.js'

/* c8 ignore start */ // the process entry point: real AWS clients and real SSH; runCli is tested with fakes
const cache = new Map<string, unknown>()
const client = <T>(kind: string, region: string, make: () => T): T => {
  const k = `${kind}:${region}`
  if (!cache.has(k)) cache.set(k, make())
  return cache.get(k) as T
}
process.exitCode = await runCli(process.argv.slice(2), {
  clients: {
    ec2: (region) => client('ec2', region, () => new EC2Client({ region })),
    elbv2: (region) => client('elbv2', region, () => new ElasticLoadBalancingV2Client({ region })),
    ssm: (region) => client('ssm', region, () => new SSMClient({ region })),
  },
  sessions: ({ bastion, privateKey, username }) => (target) =>
    openSsh({ host: target.host, username, privateKey, sudo: true, jump: { host: bastion, username, privateKey } }),
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  env: process.env,
  renderer: 'default',
})
/* c8 ignore stop */
