// Public surface of autodiff.

export { addGradients, type GradientOptions } from './gradients';
