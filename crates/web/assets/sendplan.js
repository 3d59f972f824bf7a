// Progressive enhancement only: every page works without this file.
import { initAll } from '/assets/govuk-frontend.min.js'
document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// A long list of checkboxes (leads, partners, dependencies: a large plan has over a
// hundred) gets a box to filter it by any words of a name, job title or organisation,
// and scrolls within its own area. Ticked items always stay in view. Without JavaScript
// the full list is there to tick.
for (const list of document.querySelectorAll('[data-app-filter]')) {
  const items = [...list.querySelectorAll('.govuk-checkboxes__item')]
  const group = document.createElement('div')
  group.className = 'govuk-form-group app-filter'
  const label = document.createElement('label')
  label.className = 'govuk-label'
  label.htmlFor = `${list.id}-filter`
  label.textContent = `Filter: ${list.dataset.appFilter}`
  const input = document.createElement('input')
  input.className = 'govuk-input govuk-!-width-two-thirds'
  input.id = `${list.id}-filter`
  input.type = 'search'
  input.autocomplete = 'off'
  input.setAttribute('aria-controls', list.id)
  const status = document.createElement('p')
  status.className = 'govuk-hint app-filter__status'
  status.setAttribute('aria-live', 'polite')
  const show = () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean)
    let shown = 0
    for (const item of items) {
      const text = item.textContent.toLowerCase()
      const match = item.querySelector('input').checked || words.every(w => text.includes(w))
      item.hidden = !match
      if (match) shown++
    }
    const ticked = items.filter(i => i.querySelector('input').checked).length
    status.textContent = `${shown} of ${items.length} shown, ${ticked} ticked`
  }
  input.addEventListener('input', show)
  list.addEventListener('change', show)
  // Enter in the filter box filters; it never sends the form half-filled.
  input.addEventListener('keydown', event => { if (event.key === 'Enter') event.preventDefault() })
  group.append(label, input, status)
  list.before(group)
  list.classList.add('app-filter__list')
  show()
}
