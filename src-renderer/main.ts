import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { applyLocale, currentLocale, i18n } from './i18n'
import { createAppRouter } from './router'
import './styles/base.css'

const app = createApp(App)
applyLocale(currentLocale())
app.use(i18n)
app.use(createPinia())
app.use(createAppRouter())
app.mount('#app')
