import { createClient } from '@mocks-booking/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { apiBaseUrl, TRPCProvider } from './trpc';

const queryClient = new QueryClient();
// Cookie-based session: createClient sends credentials, so no token is kept in script reach.
const trpcClient = createClient({ url: `${apiBaseUrl}/api/trpc` });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <App />
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
