import { t } from '../i18n'

/** "30 seconds", "1 minute", "10 minutes", "90 seconds" (in the app's language): how long a copy stays on the clipboard. */
export function clearDelay(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds >= 60 && seconds % 60 === 0) {
    const minutes = seconds / 60
    return t('shell.clearDelay.minutes', {}, minutes)
  }
  return t('shell.clearDelay.seconds', {}, seconds)
}
