// Renderer entry: picks the API transport, then mounts Vue with Pinia and the router.
import './zod-csp'; // first: it must run before any schema module is evaluated
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { createAppRouter } from './router';
import { installApi, pickTransport } from './api';
import './styles/theme.css';

installApi(pickTransport(window));

createApp(App).use(createPinia()).use(createAppRouter()).mount('#app');
