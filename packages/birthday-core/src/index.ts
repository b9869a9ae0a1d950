export { BirthdayError, type BirthdayErrorCode } from './errors.js'
export { parseDateOfBirth } from './date-of-birth.js'
export { greeting } from './greeting.js'
export { limits } from './limits.js'
export {
  daysUntilBirthday,
  type DaysUntilBirthdayOptions,
  type LeapDayRule,
} from './next-birthday.js'
export type { IssueCode, IssueField, Result, ValidationIssue } from './result.js'
export { todayIn } from './today.js'
export { parseUsername, type Username } from './username.js'
