import type { RouteRecordRaw } from 'vue-router'
import AppFrame from '../components/AppFrame.vue'
import ActivityView from '../views/ActivityView.vue'
import ApplicationKeysView from '../views/ApplicationKeysView.vue'
import CreateVaultView from '../views/CreateVaultView.vue'
import HomeView from '../views/HomeView.vue'
import MyAppsView from '../views/MyAppsView.vue'
import MyKeysView from '../views/MyKeysView.vue'
import SecretsView from '../views/SecretsView.vue'
import SettingsView from '../views/SettingsView.vue'
import UnlockView from '../views/UnlockView.vue'
import './meta'

/**
 * The screens of the open vault. A feature adds its screen with ONE entry here; its
 * `meta` puts it in the side menu, the user menu and the home page's drop-downs. Its words
 * are message keys (src-renderer/i18n/locales/<locale>/shell.json, `shell.nav`).
 */
export const appRoutes: RouteRecordRaw[] = [
  {
    path: '',
    name: 'home',
    component: HomeView,
    meta: { title: 'shell.nav.home', menu: { label: 'shell.nav.home', icon: 'home', order: 0 } },
  },
  {
    path: 'api-secrets',
    name: 'api-secrets',
    component: SecretsView,
    meta: {
      title: 'shell.nav.apiSecrets',
      menu: { label: 'shell.nav.apiSecrets', icon: 'shield', order: 100, description: 'shell.nav.descriptions.apiSecrets' },
    },
  },
  {
    // The same screen with the add form open: the home page's "+ Add password" > "Add API secret".
    path: 'api-secrets/new',
    name: 'api-secret-add',
    component: SecretsView,
    props: { adding: true },
    meta: { title: 'shell.nav.addApiSecret', addPassword: { label: 'shell.nav.addApiSecret', icon: 'shield', order: 100 } },
  },
  {
    path: 'application-keys',
    name: 'application-keys',
    component: ApplicationKeysView,
    meta: {
      title: 'shell.nav.applicationKeys',
      menu: {
        label: 'shell.nav.applicationKeys',
        icon: 'key',
        order: 500,
        section: 'shell.nav.sections.accountSettings',
        description: 'shell.nav.descriptions.applicationKeys',
      },
      userMenu: { label: 'shell.nav.applicationKeys', icon: 'key', order: 500 },
    },
  },
  {
    path: 'application-keys/mine',
    name: 'my-keys',
    component: MyKeysView,
    meta: {
      title: 'shell.nav.myKeys',
      menu: { label: 'shell.nav.myKeys', icon: 'key', order: 510, section: 'shell.nav.sections.accountSettings', description: 'shell.nav.descriptions.myKeys' },
    },
  },
  {
    path: 'my-apps',
    name: 'my-apps',
    component: MyAppsView,
    meta: {
      title: 'shell.nav.myApps',
      menu: {
        label: 'shell.nav.myApps',
        icon: 'phone',
        order: 400,
        section: 'shell.nav.sections.integrations',
        description: 'shell.nav.descriptions.myApps',
      },
      userMenu: { label: 'shell.nav.myApps', icon: 'key', order: 400 },
    },
  },
  {
    // Its own section, between Integrations and Account settings: it records every way in (the
    // window, the CLI, paired apps, application keys), so it is not an integration, nor a setting.
    path: 'activity',
    name: 'activity',
    component: ActivityView,
    meta: {
      title: 'shell.nav.activity',
      menu: {
        label: 'shell.nav.activity',
        icon: 'activity',
        order: 450,
        section: 'shell.nav.sections.security',
        description: 'shell.nav.descriptions.activity',
      },
    },
  },
  {
    path: 'settings',
    name: 'settings',
    component: SettingsView,
    meta: {
      title: 'shell.nav.settings',
      menu: { label: 'shell.nav.settings', icon: 'settings', order: 1000, description: 'shell.nav.descriptions.settings' },
      userMenu: { label: 'shell.nav.settings', icon: 'settings', order: 1000 },
    },
  },
]

/** Every route: the two doors (create, unlock) and the frame around the open vault. */
export const routes: RouteRecordRaw[] = [
  { path: '/create', name: 'create', component: CreateVaultView, meta: { access: 'absent', title: 'shell.nav.createVault' } },
  { path: '/unlock', name: 'unlock', component: UnlockView, meta: { access: 'locked', title: 'shell.nav.unlock' } },
  { path: '/', component: AppFrame, meta: { access: 'unlocked' }, children: appRoutes },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]
