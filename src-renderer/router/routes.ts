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
 * `meta` puts it in the side menu, the user menu and the home page's drop-downs.
 */
export const appRoutes: RouteRecordRaw[] = [
  {
    path: '',
    name: 'home',
    component: HomeView,
    meta: { title: 'Home', menu: { label: 'Home', icon: 'home', order: 0 } },
  },
  {
    path: 'api-secrets',
    name: 'api-secrets',
    component: SecretsView,
    meta: {
      title: 'API secrets',
      menu: { label: 'API secrets', icon: 'shield', order: 100, description: 'Client IDs and client secrets of the APIs you call, with search and tags.' },
    },
  },
  {
    // The same screen with the add form open: the home page's "+ Add password" > "Add API secret".
    path: 'api-secrets/new',
    name: 'api-secret-add',
    component: SecretsView,
    props: { adding: true },
    meta: { title: 'Add API secret', addPassword: { label: 'Add API secret', icon: 'shield', order: 100 } },
  },
  {
    path: 'application-keys',
    name: 'application-keys',
    component: ApplicationKeysView,
    meta: {
      title: 'Application Keys',
      menu: {
        label: 'Application Keys',
        icon: 'key',
        order: 500,
        section: 'Account settings',
        description: 'Keys and tokens that give scripts and third parties scoped, revocable access.',
      },
      userMenu: { label: 'Application Keys', icon: 'key', order: 500 },
    },
  },
  {
    path: 'application-keys/mine',
    name: 'my-keys',
    component: MyKeysView,
    meta: {
      title: 'My Keys',
      menu: { label: 'My Keys', icon: 'key', order: 510, section: 'Account settings', description: 'Generate keys for your own scripts and integrations.' },
    },
  },
  {
    path: 'my-apps',
    name: 'my-apps',
    component: MyAppsView,
    meta: {
      title: 'My apps',
      menu: {
        label: 'My apps',
        icon: 'phone',
        order: 400,
        section: 'Integrations',
        description: 'Authorization keys that connect your mobile app and browser extension, shown once as a QR code.',
      },
      userMenu: { label: 'My apps', icon: 'key', order: 400 },
    },
  },
  {
    // Its own section, between Integrations and Account settings: it records every way in (the
    // window, the CLI, paired apps, application keys), so it is not an integration, nor a setting.
    path: 'activity',
    name: 'activity',
    component: ActivityView,
    meta: {
      title: 'Activity',
      menu: {
        label: 'Activity',
        icon: 'activity',
        order: 450,
        section: 'Security',
        description: 'Who saw, copied, paired, used and revoked what, with a check that nobody edited the record.',
      },
    },
  },
  {
    path: 'settings',
    name: 'settings',
    component: SettingsView,
    meta: {
      title: 'Settings',
      menu: { label: 'Settings', icon: 'settings', order: 1000, description: 'Change your master password, see when the vault locks itself, and choose how long copies stay on the clipboard.' },
      userMenu: { label: 'Settings', icon: 'settings', order: 1000 },
    },
  },
]

/** Every route: the two doors (create, unlock) and the frame around the open vault. */
export const routes: RouteRecordRaw[] = [
  { path: '/create', name: 'create', component: CreateVaultView, meta: { access: 'absent', title: 'Create your vault' } },
  { path: '/unlock', name: 'unlock', component: UnlockView, meta: { access: 'locked', title: 'Unlock' } },
  { path: '/', component: AppFrame, meta: { access: 'unlocked' }, children: appRoutes },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]
