// Pure config renderers shared by the AWS provisioner and the local cluster harness.
export { renderPatroniConfig, type PatroniNodeSpec, type Credentials } from './patroni-config.js'
export { renderPgHba, type PgHbaSpec } from './pg-hba.js'
export { renderPostBootstrapSql, type PostBootstrapSpec } from './post-bootstrap-sql.js'
export { renderEtcdConfig, type EtcdMemberSpec } from './etcd-config.js'
export { PATRONI_TIMING_PROFILES, type PatroniTiming } from './patroni-timing.js'
export { RenderError, RENDER_ERROR_CODES, type RenderErrorCode } from './render-error.js'
// For image bakers (Packer, the lab's baked image): what a DB host's configuration would install, run at bake time.
export { dbInstallScript } from '../host/install-scripts.js'
export { renderPrimaryEndpoint, type PrimaryEndpointSpec, type EndpointMember } from './primary-endpoint.js'
