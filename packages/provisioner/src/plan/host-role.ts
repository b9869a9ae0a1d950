/** The role of a host (on AWS also its `birthday-ha:role` tag). */
export type HostRole = 'db' | 'dr-db' | 'app' | 'bastion'
