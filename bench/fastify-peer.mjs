// The benchmark's peer: the same hello API on Fastify 5 + pg, written the way
// a Fastify user would (route params, a pg.Pool, a named prepared statement).
// It shares birthday-core with our service so only the HTTP and database layers differ.
import Fastify from 'fastify'
import pg from 'pg'
import { daysUntilBirthday, greeting, parseDateOfBirth, parseUsername, todayIn } from '@birthday-ha/birthday-core'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10) })
pool.on('error', () => {})
const app = Fastify({ logger: false })

app.get('/hello/:username', async (request, reply) => {
  const user = parseUsername(request.params.username)
  if (!user.ok) return reply.code(400).send({ title: 'Invalid request', detail: user.error.message })
  const today = todayIn(request.query.tz ?? 'UTC')
  if (!today.ok) return reply.code(400).send({ title: 'Invalid request', detail: today.error.message })
  const { rows } = await pool.query({
    name: 'peer_find',
    text: 'SELECT date_of_birth::text AS date_of_birth FROM birthdays WHERE username_key = $1',
    values: [user.value.key],
  })
  if (rows.length === 0) return reply.code(404).send({ title: 'Unknown user' })
  return { message: greeting(user.value.name, daysUntilBirthday(rows[0].date_of_birth, today.value)) }
})

app.put('/hello/:username', async (request, reply) => {
  const user = parseUsername(request.params.username)
  if (!user.ok) return reply.code(400).send({ title: 'Invalid request', detail: user.error.message })
  const today = todayIn(request.query.tz ?? 'UTC')
  if (!today.ok) return reply.code(400).send({ title: 'Invalid request', detail: today.error.message })
  const dateOfBirth = parseDateOfBirth(request.body?.dateOfBirth, today.value)
  if (!dateOfBirth.ok) return reply.code(400).send({ title: 'Invalid request', detail: dateOfBirth.error.message })
  await pool.query({
    name: 'peer_upsert',
    text: `INSERT INTO birthdays (username_key, username, date_of_birth) VALUES ($1, $2, $3)
           ON CONFLICT (username_key) DO UPDATE SET username = EXCLUDED.username, date_of_birth = EXCLUDED.date_of_birth`,
    values: [user.value.key, user.value.name, dateOfBirth.value],
  })
  return reply.code(204).send()
})

const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
process.stdout.write(JSON.stringify({ msg: 'fastify peer listening', url: address }) + '\n')
process.on('SIGTERM', async () => {
  await app.close()
  await pool.end()
  process.exit(0)
})
