// Every primitive op, one file each (forward emission, shape rule and gradient side by side).

import type { OpDef } from '../ir/op-def';
import { Abs } from './abs';
import { Add } from './add';
import { Arange } from './arange';
import { Cast } from './cast';
import { CastRound } from './cast-round';
import { Concat } from './concat';
import { Constant } from './constant';
import { ConstantOfShape } from './constant-of-shape';
import { Cos } from './cos';
import { Div } from './div';
import { Equal } from './equal';
import { Exp } from './exp';
import { Expand } from './expand';
import { Gather } from './gather';
import { GradRound } from './grad-round';
import { GatherElements } from './gather-elements';
import { Greater } from './greater';
import { Identity } from './identity';
import { Less } from './less';
import { Log } from './log';
import { LogSoftmax } from './log-softmax';
import { MatMul } from './matmul';
import { Max } from './max';
import { Mod } from './mod';
import { Mul } from './mul';
import { Neg } from './neg';
import { Pad } from './pad';
import { Pow } from './pow';
import { Reciprocal } from './reciprocal';
import { ReduceMax } from './reduce-max';
import { ReduceMean } from './reduce-mean';
import { ReduceSum } from './reduce-sum';
import { Relu } from './relu';
import { Reshape } from './reshape';
import { ScaledGradRound } from './scaled-grad-round';
import { ScatterElements } from './scatter-elements';
import { ScatterND } from './scatter-nd';
import { Shape } from './shape';
import { Sigmoid } from './sigmoid';
import { Sign } from './sign';
import { Sin } from './sin';
import { Size } from './size';
import { Slice } from './slice';
import { Softmax } from './softmax';
import { Sqrt } from './sqrt';
import { Squeeze } from './squeeze';
import { StopGradient } from './stop-gradient';
import { StraightThrough } from './straight-through';
import { Sub } from './sub';
import { Tanh } from './tanh';
import { Transpose } from './transpose';
import { Unsqueeze } from './unsqueeze';
import { Where } from './where';

export {
  Abs, Add, Arange, Cast, CastRound, Concat, Constant, ConstantOfShape, Cos, Div, Equal, Exp, Expand, Gather, GatherElements, GradRound, Greater,
  Identity, Less, Log, LogSoftmax, MatMul, Max, Mod, Mul, Neg, Pad, Pow, Reciprocal, ReduceMax, ReduceMean, ReduceSum, Relu,
  Reshape, ScaledGradRound, ScatterElements, ScatterND, Shape, Sigmoid, Sign, Sin, Size, Slice, Softmax, Sqrt, Squeeze, StopGradient, StraightThrough, Sub, Tanh,
  Transpose, Unsqueeze, Where,
};

export const ALL_OPS: readonly OpDef[] = [
  Abs, Add, Arange, Cast, CastRound, Concat, Constant, ConstantOfShape, Cos, Div, Equal, Exp, Expand, Gather, GatherElements, GradRound, Greater,
  Identity, Less, Log, LogSoftmax, MatMul, Max, Mod, Mul, Neg, Pad, Pow, Reciprocal, ReduceMax, ReduceMean, ReduceSum, Relu,
  Reshape, ScaledGradRound, ScatterElements, ScatterND, Shape, Sigmoid, Sign, Sin, Size, Slice, Softmax, Sqrt, Squeeze, StopGradient, StraightThrough, Sub, Tanh,
  Transpose, Unsqueeze, Where,
];
