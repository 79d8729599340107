import type { Provider } from '../api.ts';

export const provider: Provider = { name: 'graph', routes: [] };
