//! The training losses: binary cross-entropy on pair similarities (the paper's) and the in-batch
//! contrastive loss (InfoNCE in both directions).

use candle_core::{Device, Tensor, D};

use super::{CResult, Loss, Similarity, TrainConfig};

/// Per-pair loss for distances/similarities of a batch.
pub(super) fn pair_loss(a: &Tensor, t: &Tensor, y: &Tensor, cfg: &TrainConfig) -> CResult<Tensor> {
    let diff = (a - t)?;
    let dist = match cfg.similarity {
        Similarity::L1 | Similarity::ExpL1 => diff.abs()?.sum(D::Minus1)?,
        Similarity::L2 | Similarity::ExpL2 => (diff.sqr()?.sum(D::Minus1)? + 1e-8)?.sqrt()?,
    };
    let exp_sim = matches!(cfg.similarity, Similarity::ExpL1 | Similarity::ExpL2);
    let loss = match cfg.loss {
        // InfoNCE is trained batch-wise ([`info_nce`]); a pair's loss is then the BCE.
        Loss::Bce | Loss::InfoNce => {
            // p = exp(−d) for the exp similarities; 2·σ(−d) = 2 / (1 + e^d) for raw distances
            // (also 1 at d = 0 and falling to 0).
            // e^(−d) never overflows (d ≥ 0), so neither the value nor its gradient does.
            let e = dist.neg()?.exp()?;
            let p = if exp_sim {
                e
            } else {
                ((&e * 2.0)? / (&e + 1.0)?)?
            };
            let p = p.clamp(1e-7f32, 1.0 - 1e-7)?;
            let pos = (y * p.log()?)?;
            let neg = (y.affine(-1.0, 1.0)? * p.affine(-1.0, 1.0)?.log()?)?;
            (pos + neg)?.neg()?
        }
        Loss::Contrastive => {
            // Dissimilarity δ: the distance itself, or 1 − exp(−d) (margin 1) for exp similarities.
            let (delta, margin) = if exp_sim {
                (dist.neg()?.exp()?.affine(-1.0, 1.0)?, 1.0)
            } else {
                (dist, f64::from(cfg.margin))
            };
            let pos = (y * delta.sqr()?)?;
            let hinge = delta.affine(-1.0, margin)?.relu()?.sqr()?;
            (pos + (y.affine(-1.0, 1.0)? * hinge)?)?
        }
    };
    loss.mean_all()
}

/// `‖a_i − t_j‖₂` for every row of `a` (b × d) and `t` (c × d): a b × c matrix.
fn pairwise_l2(a: &Tensor, t: &Tensor) -> CResult<Tensor> {
    let a2 = a.sqr()?.sum_keepdim(D::Minus1)?; // b × 1
    let t2 = t.sqr()?.sum_keepdim(D::Minus1)?.t()?; // 1 × c
    let cross = a.matmul(&t.t()?)?; // b × c
    let d2 = a2.broadcast_add(&t2)?.broadcast_sub(&(cross * 2.0)?)?;
    (d2.relu()? + 1e-8)?.sqrt()
}

/// Symmetric InfoNCE of a batch: clip embeddings `a` (b × d) with class indices `labels`,
/// all class text embeddings `t` (c × d), logits `−scale·‖a − t‖₂`. Audio→text: cross-entropy
/// of each clip's class over all classes; text→audio: each class present in the batch against
/// the batch's clips, its own clips sharing the target equally. The mean of both directions.
pub(super) fn info_nce(
    a: &Tensor,
    t: &Tensor,
    labels: &[usize],
    scale: &Tensor,
) -> CResult<Tensor> {
    use candle_nn::ops::log_softmax;
    let (b, c) = (labels.len(), t.dim(0)?);
    let logits = pairwise_l2(a, t)?.neg()?.broadcast_mul(scale)?; // b × c
    let mut onehot = vec![0f32; b * c];
    for (i, &l) in labels.iter().enumerate() {
        onehot[i * c + l] = 1.0;
    }
    let onehot = Tensor::from_vec(onehot, (b, c), &Device::Cpu)?;
    let at = (log_softmax(&logits, 1)? * &onehot)?
        .sum_all()?
        .affine(-1.0 / b as f64, 0.0)?;
    let mut present: Vec<usize> = labels.to_vec();
    present.sort_unstable();
    present.dedup();
    let mut target = vec![0f32; present.len() * b];
    for (r, &cl) in present.iter().enumerate() {
        let n = labels.iter().filter(|&&l| l == cl).count() as f32;
        for (i, &l) in labels.iter().enumerate() {
            if l == cl {
                target[r * b + i] = 1.0 / n;
            }
        }
    }
    let target = Tensor::from_vec(target, (present.len(), b), &Device::Cpu)?;
    let idx = Tensor::from_vec(
        present.iter().map(|&x| x as u32).collect::<Vec<_>>(),
        present.len(),
        &Device::Cpu,
    )?;
    let ta_logits = logits.t()?.contiguous()?.index_select(&idx, 0)?; // p × b
    let ta = (log_softmax(&ta_logits, 1)? * target)?
        .sum_all()?
        .affine(-1.0 / present.len() as f64, 0.0)?;
    (at + ta)? * 0.5
}
