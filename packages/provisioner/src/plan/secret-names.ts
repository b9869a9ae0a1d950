/** The five generated secrets; a target stores their values (SSM SecureString on AWS). */
export const SECRET_NAMES = ['superuser-password', 'replication-password', 'rewind-password', 'app-password', 'rest-password'] as const
/** One of {@link SECRET_NAMES}. */
export type SecretName = (typeof SECRET_NAMES)[number]
