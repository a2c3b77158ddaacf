// activation.wgsl — the pointwise functions of the activation table, shared by the elementwise
// kernels (unary, unary_grad, unary_deriv2) and the matmul epilogue, which append this file.
// src/ops/activation.ts numbers them; `code` is that number:
//
//   0 none (identity)  1 relu  2 leaky_relu(α = negative slope)  3 gelu_tanh (the tanh form)
//   4 sigmoid  5 tanh  6 exp  7 log  8 neg  9 square  10 sqrt  11 abs
//   12 softplus(α = β, b = threshold): log(1 + exp(βx))/β, and x where βx > threshold
//   13 gelu: x·Φ(x), Φ(x) = ½·erfc(−x/√2), the normal distribution function (PyTorch's default)
//
//   act_f(code, x, α, b)    f(x)
//   act_df(code, t, α, b)   f'(t), t = f's output for relu, sigmoid, tanh, exp, sqrt (and none),
//                           f's input otherwise (the table's `deriv`)
//   act_ddf(code, t, α, b)  d f'(t) / dt, with f' written as a function of that same t
//
// Numerics: tanh's argument is clamped to ±15 (tanh(15) rounds to 1 in f32, and some
// implementations overflow exp inside tanh for large |x|); sigmoid is built from exp(−|x|),
// which never overflows; gelu and its derivatives use s = σ(2u) (1 + tanh u = 2s,
// 1 − tanh²u = 4s(1 − s)) so that their small values for x ≪ 0 keep full relative precision;
// tanh' = (1 − t)(1 + t), exact where 1 − t² would cancel; softplus = max(y, 0) + log1p(e^−|y|)
// with log1p computed so that tiny arguments keep their relative precision; Φ from erfc (a
// Chebyshev fit, relative error < 1.2e-7 everywhere), so gelu keeps its precision for x ≪ 0,
// where 1 + erf would cancel.

const GELU_C: f32 = 0.7978845608028654;
const GELU_K: f32 = 0.044715;

fn safe_tanh(x: f32) -> f32 { return tanh(clamp(x, -15.0, 15.0)); }

fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

// gelu(x) = ½x(1 + tanh u) = x·σ(2u), u = √(2/π)(x + 0.044715x³). With s = σ(2u):
// 1 + tanh u = 2s and 1 − tanh²u = 4s(1 − s), both without cancellation for large |x|.
fn gelu_s(x: f32) -> f32 { return sigmoid(2.0 * GELU_C * (x + GELU_K * x * x * x)); }

// (σ(y), σ(y)·σ(−y), 1 − 2σ(y)) from e = exp(−|y|), accurate in both tails.
fn sig3(y: f32) -> vec3f {
  let e = exp(-abs(y));
  let r = 1.0 / (1.0 + e);
  let neg = y < 0.0;
  return vec3f(select(r, e * r, neg), e * r * r, select(-1.0, 1.0, neg) * (1.0 - e) * r);
}

// log(1 + e) for e ≥ 0: where 1 + e rounds, log(u)·e/(u − 1) corrects the rounding (Kahan).
fn log1p_pos(e: f32) -> f32 {
  let u = 1.0 + e;
  if (u == 1.0) { return e; }
  return log(u) * e / (u - 1.0);
}

// erfc(z) for z ≥ 0: t·exp(−z² + P(t)), t = 1/(1 + z/2), P a Chebyshev fit (fractional error
// below 1.2e-7 for every z).
fn erfc_pos(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
    + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(-z * z + p);
}

// Φ(x) = ½·erfc(−x/√2) without cancellation on either side.
fn normal_cdf(x: f32) -> f32 {
  let e = 0.5 * erfc_pos(abs(x) * 0.7071067811865476);
  return select(e, 1.0 - e, x >= 0.0);
}

// φ(x) = exp(−x²/2)/√(2π)
fn normal_pdf(x: f32) -> f32 { return 0.3989422804014327 * exp(-0.5 * x * x); }

fn softplus(x: f32, beta: f32, threshold: f32) -> f32 {
  let y = beta * x;
  if (y > threshold) { return x; }
  return (max(y, 0.0) + log1p_pos(exp(-abs(y)))) / beta;
}

fn act_f(code: u32, x: f32, alpha: f32, b: f32) -> f32 {
  // The identity and ReLU (matmul's and conv's common epilogues) before the switch: on software
  // adapters every case of a switch may cost a test per element.
  if (code == 0u) { return x; }
  if (code == 1u) { return max(x, 0.0); }
  switch code {
    case 1u: { return max(x, 0.0); }
    case 2u: { return select(alpha * x, x, x > 0.0); }
    case 3u: { return x * gelu_s(x); }
    case 4u: { return sigmoid(x); }
    case 5u: { return safe_tanh(x); }
    case 6u: { return exp(x); }
    case 7u: { return log(x); }
    case 8u: { return -x; }
    case 9u: { return x * x; }
    case 10u: { return sqrt(x); }
    case 11u: { return abs(x); }
    case 12u: { return softplus(x, alpha, b); }
    case 13u: { return x * normal_cdf(x); }
    default: { return x; }
  }
}

fn act_df(code: u32, t: f32, alpha: f32, b: f32) -> f32 {
  switch code {
    case 1u: { return select(0.0, 1.0, t > 0.0); }
    case 2u: { return select(alpha, 1.0, t > 0.0); }
    case 3u: {
      // gelu' = s + 2t·s(1 − s)·u', u' = √(2/π)(1 + 3·0.044715t²)
      let g = sig3(2.0 * GELU_C * (t + GELU_K * t * t * t));
      return g.x + 2.0 * t * g.y * GELU_C * (1.0 + 3.0 * GELU_K * t * t);
    }
    case 4u: { return t * (1.0 - t); }
    case 5u: { return (1.0 - t) * (1.0 + t); }
    case 6u: { return t; }
    case 7u: { return 1.0 / t; }
    case 8u: { return -1.0; }
    case 9u: { return 2.0 * t; }
    case 10u: { return 0.5 / t; }
    case 11u: { return sign(t); }
    // softplus' = σ(βt), 1 above the threshold
    case 12u: { return select(sigmoid(alpha * t), 1.0, alpha * t > b); }
    // gelu' = Φ(t) + t·φ(t)
    case 13u: { return normal_cdf(t) + t * normal_pdf(t); }
    default: { return 1.0; }
  }
}

fn act_ddf(code: u32, t: f32, alpha: f32, b: f32) -> f32 {
  switch code {
    case 3u: {
      // gelu'' = s(1 − s)·(4u' + 2t·u'' + 4t·u'²(1 − 2s)), u'' = √(2/π)·6·0.044715t
      let g = sig3(2.0 * GELU_C * (t + GELU_K * t * t * t));
      let du = GELU_C * (1.0 + 3.0 * GELU_K * t * t);
      let ddu = GELU_C * 6.0 * GELU_K * t;
      return g.y * (4.0 * du + 2.0 * t * ddu + 4.0 * t * du * du * g.z);
    }
    case 4u: { return 1.0 - 2.0 * t; }
    case 5u: { return -2.0 * t; }
    case 6u: { return 1.0; }
    case 7u: { return -1.0 / (t * t); }
    case 9u: { return 2.0; }
    case 10u: { return -0.5 / (t * t); }
    // softplus'' = β·σ(βt)·σ(−βt), 0 above the threshold
    case 12u: { return select(alpha * sig3(alpha * t).y, 0.0, alpha * t > b); }
    // gelu'' = φ(t)·(2 − t²)
    case 13u: { return normal_pdf(t) * (2.0 - t * t); }
    default: { return 0.0; }
  }
}
