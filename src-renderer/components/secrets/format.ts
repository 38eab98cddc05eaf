/** Stored ISO times as the person's locale writes them (the app's one formatter, lib/date-time.ts). */
export { formatDateTime as formatDate, formatDateParts as formatParts } from '../../lib/date-time'
