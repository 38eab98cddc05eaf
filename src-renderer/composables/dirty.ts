import { computed, ref } from 'vue'

/**
 * Whether a form holds anything other than what it started with, for the "Discard changes?"
 * guard. `read` gives the form's values; they are compared as JSON, so arrays (tags, roles)
 * count as changed only when their content is. `settle()` takes what the form holds now as
 * its start (an edit form, once the stored values are in).
 */
export function useDirty(read: () => unknown) {
  const start = ref(JSON.stringify(read()))
  const dirty = computed(() => JSON.stringify(read()) !== start.value)
  function settle(): void {
    start.value = JSON.stringify(read())
  }
  return { dirty, settle }
}
