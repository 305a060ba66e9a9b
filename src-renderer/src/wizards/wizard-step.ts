// A wizard's current step lives in the URL (?step=…), so reload and back/forward keep it; shared by the wizards.
import { computed } from 'vue';
import { useRoute, useRouter } from 'vue-router';

export function useWizardStep<Id extends string>(steps: readonly { id: Id }[], first: Id) {
  const route = useRoute();
  const router = useRouter();
  const step = computed<Id>(() => {
    const q = route.query.step;
    return steps.some((s) => s.id === q) ? (q as Id) : first;
  });
  const index = computed(() => steps.findIndex((s) => s.id === step.value));
  const go = (id: Id) => void router.replace({ query: { ...route.query, step: id } });
  return { step, index, go };
}
