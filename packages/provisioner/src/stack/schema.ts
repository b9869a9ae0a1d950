import { z } from 'zod'

const cidr16 = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.0\.0\/16$/, 'must be an IPv4 /16 such as 10.10.0.0/16')
  .refine((v) => v.split('.').slice(0, 2).every((o) => Number(o) <= 255), 'octets must be 0-255')

const operatorCidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d{1,2})$/, 'must be an IPv4 CIDR such as 203.0.113.7/32')
  .refine((v) => Number(v.split('/')[1]) >= 16 && Number(v.split('/')[1]) <= 32, {
    message: 'must be /16 to /32: SSH is never opened to the whole internet',
  })

const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')
const pgIdentifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL identifier')
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex sha256')

/** The zod schema of a stack file. Unknown keys are errors: passwords can never be written into it. */
export const stackSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,18}[a-z0-9]$/, 'must be 3-20 chars of a-z, 0-9 and -, starting with a letter'),
    primary: z.strictObject({
      region,
      cidr: cidr16,
      azs: z.tuple([z.string(), z.string(), z.string()]),
    }),
    dr: z.strictObject({ region, cidr: cidr16, az: z.string() }),
    operatorCidr,
    sshKeyName: z.string().min(1),
    instanceTypes: z
      .strictObject({ db: z.string(), app: z.string(), bastion: z.string() })
      .default({ db: 't3.medium', app: 't3.small', bastion: 't3.micro' }),
    database: z
      .strictObject({
        name: pgIdentifier.default('birthday'),
        appUser: pgIdentifier
          .refine((u) => u !== 'postgres', 'the app must not use the postgres superuser')
          .default('birthday_app'),
        volumeGiB: z.int().min(20).max(16384).default(50),
        // Debian 13 (trixie) ships PostgreSQL 17 only; the hosts install from Debian's own archive.
        postgresMajor: z.literal(17, 'must be 17 (Debian 13 ships PostgreSQL 17 only)').default(17),
        patroniVersion: z
          .string()
          .regex(/^\d+\.\d+\.\d+/, "must be Debian's Patroni version (a prefix of the package version), such as 4.0.7")
          .refine((v) => {
            const [maj, min] = v.split('.').map(Number) as [number, number]
            return maj > 3 || (maj === 3 && min >= 1)
          }, 'must be >= 3.1.0 (needs the fix from patroni PR #2689; Debian 12 ships 3.0.2, Debian 13 ships 4.0.7)')
          .default('4.0.7'),
        synchronousMode: z.boolean().default(true),
      })
      .prefault({}),
    app: z
      .strictObject({
        count: z.int().min(2, 'at least 2 app hosts (one AZ may fail)').max(12).default(2),
        port: z.int().min(1024).max(65535).default(8080),
        nodeVersion: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be an exact Node.js version such as 24.22.3'),
        nodeSha256: sha256,
        /** Where hosts fetch the runtime (default: the official nodejs.org tarball). Checked against nodeSha256 either way. */
        nodeTarballUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL of the Node.js tarball' }).optional(),
      }),
    alb: z
      .strictObject({
        listenerPort: z.int().min(1).max(65535).default(443),
        certificateArn: z.string().startsWith('arn:').optional(),
        deregistrationDelaySeconds: z.int().min(0).max(300).default(15),
      })
      .prefault({})
      .refine((a) => a.listenerPort !== 443 || a.certificateArn !== undefined, {
        message: 'port 443 needs certificateArn (or use listenerPort 80 for HTTP)',
        path: ['certificateArn'],
      }),
    backups: z.strictObject({
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
      bucketRegion: region.optional(),
      /**
       * The DR host's own repository once it is promoted, best a bucket in the DR region (a lost region
       * takes its bucket with it). Default: `bucket`, under a path of its own.
       */
      drBucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name').optional(),
      /** Default: the DR region when `drBucket` is given, else `bucketRegion`. */
      drBucketRegion: region.optional(),
      instanceProfile: z.string().min(1),
      retentionFull: z.int().min(1).max(30).default(2),
    }),
  })
  .superRefine((s, ctx) => {
    if (new Set(s.primary.azs).size !== 3) {
      ctx.addIssue({ code: 'custom', path: ['primary', 'azs'], message: 'must be 3 distinct AZs (one etcd member each)' })
    }
    s.primary.azs.forEach((az, i) => {
      if (!az.startsWith(s.primary.region)) {
        ctx.addIssue({ code: 'custom', path: ['primary', 'azs', i], message: `must be in ${s.primary.region}` })
      }
    })
    if (!s.dr.az.startsWith(s.dr.region)) {
      ctx.addIssue({ code: 'custom', path: ['dr', 'az'], message: `must be in ${s.dr.region}` })
    }
    if (s.dr.region === s.primary.region) {
      ctx.addIssue({ code: 'custom', path: ['dr', 'region'], message: 'must differ from primary.region' })
    }
    if (s.dr.cidr === s.primary.cidr) {
      ctx.addIssue({ code: 'custom', path: ['dr', 'cidr'], message: 'must not overlap primary.cidr (VPC peering)' })
    }
  })

/** A validated stack, with every default filled in. */
export type Stack = z.output<typeof stackSchema>
/** A stack file as written by the operator. */
export type StackInput = z.input<typeof stackSchema>
