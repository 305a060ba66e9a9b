// The app's pages; hash history so the same build works from file:// in Electron and from the serve server.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import HomeView from './views/HomeView.vue';
import RunsView from './views/RunsView.vue';
import TrainView from './views/TrainView.vue';
import ModelsView from './views/ModelsView.vue';
import SettingsView from './views/SettingsView.vue';
import PrecisionView from './views/PrecisionView.vue';
import EstimatorView from './views/EstimatorView.vue';
import AdapterWizard from './wizards/AdapterWizard.vue';
import DataWizard from './wizards/DataWizard.vue';

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomeView, meta: { title: 'Home' } },
  { path: '/data', name: 'data', component: DataWizard, meta: { title: 'Data' } },
  { path: '/adapter', name: 'adapter', component: AdapterWizard, meta: { title: 'Adapter' } },
  { path: '/train', name: 'train', component: TrainView, meta: { title: 'Train' } },
  { path: '/precision', name: 'precision', component: PrecisionView, meta: { title: 'Precision' } },
  { path: '/estimator', name: 'estimator', component: EstimatorView, meta: { title: 'Estimator' } },
  { path: '/runs', name: 'runs', component: RunsView, meta: { title: 'Runs' } },
  { path: '/models', name: 'models', component: ModelsView, meta: { title: 'Models' } },
  { path: '/settings', name: 'settings', component: SettingsView, meta: { title: 'Settings' } },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

export function createAppRouter() {
  const router = createRouter({ history: createWebHashHistory(), routes });
  router.afterEach((to) => {
    const title = typeof to.meta.title === 'string' ? to.meta.title : null;
    document.title = title ? `${title} · Finetune Studio` : 'Finetune Studio';
  });
  return router;
}
