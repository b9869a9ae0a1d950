import t from 'tap'

t.test('the public value exports are pinned', async (t) => {
  const index = await import('../src/index.js')
  t.strictSame(Object.keys(index).sort(), [
    'BirthdayError',
    'daysUntilBirthday',
    'greeting',
    'limits',
    'parseDateOfBirth',
    'parseUsername',
    'todayIn',
  ])
})

t.test('the exports work together as the hello service uses them', async (t) => {
  const { daysUntilBirthday, greeting, parseDateOfBirth, parseUsername, todayIn } = await import('../src/index.js')
  const today = todayIn('UTC', () => Date.parse('2024-02-28T12:00:00Z'))
  const user = parseUsername('Zoe\u0308')
  t.ok(today.ok && user.ok)
  if (!today.ok || !user.ok) return
  const dob = parseDateOfBirth('2000-02-29', today.value)
  t.ok(dob.ok)
  if (!dob.ok) return
  t.equal(greeting(user.value.name, daysUntilBirthday(dob.value, today.value)), 'Hello, Zoë! Your birthday is in 1 day(s)')
})
