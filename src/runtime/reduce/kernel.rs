//! What one reduction does to elements: how it loads an element into its accumulator type,
//! how it combines two accumulators, and in which order it may combine them.

use super::floatrows::RowsLeaf;
use super::seq::{leaf_pair_sum, leaf_sum, TypedAt};
use std::marker::PhantomData;

/// The association order a reduction follows (see the module doc of [`super`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Order {
    /// The fixed pairwise tree: float and complex sums and means (and integer sums, where
    /// any order gives the same result).
    Pairwise,
    /// A left-to-right fold `((x0 ∘ x1) ∘ x2) ∘ …`. `split` says that `∘` is associative, so
    /// that halves may be folded on different threads and combined, left then right.
    Fold {
        /// `true` when splitting cannot change the result.
        split: bool,
    },
}

/// One reduction's element operations.
pub(super) trait Kern: Sync {
    /// The accumulator type.
    type A: Copy + Send + Sync;
    /// The source element type; only its size matters, for unit-stride fast paths.
    type E;

    /// Loads the element at `p`, converted to the accumulator type.
    ///
    /// # Safety
    /// `p` addresses a valid element of the source view's dtype.
    unsafe fn load(&self, p: *const u8) -> Self::A;

    /// Combines an earlier accumulator `a` with a later one `b`.
    fn combine(&self, a: Self::A, b: Self::A) -> Self::A;

    /// The association order.
    fn order(&self) -> Order;

    /// The left fold of the `n` unit-stride elements from `p` onto `acc`: what `n`
    /// `combine`s of `load`ed elements give, which a kernel may compute faster (several
    /// lanes at once) as long as the result is the same.
    ///
    /// # Safety
    /// `p` addresses `n` consecutive valid elements of the source dtype.
    #[inline(always)]
    unsafe fn fold_unit(&self, p: *const u8, n: usize, acc: Self::A) -> Self::A {
        let size = std::mem::size_of::<Self::E>();
        let mut acc = acc;
        for i in 0..n {
            // SAFETY: element `i < n` (the caller's contract).
            acc = self.combine(acc, unsafe { self.load(p.wrapping_add(i * size)) });
        }
        acc
    }

    /// The pairwise leaf of the `n` unit-stride elements from `p` (`1 <= n <= LEAF`), in
    /// [`leaf_sum`]'s order, which a kernel may compute faster as long as the result is
    /// the same.
    ///
    /// # Safety
    /// `p` addresses `n` consecutive valid elements of the source dtype.
    #[inline(always)]
    unsafe fn leaf_unit(&self, p: *const u8, n: usize) -> Self::A
    where
        Self: Sized,
    {
        // SAFETY: the caller's contract.
        unsafe { leaf_sum(self, TypedAt::<Self::E>::new(p), n) }
    }

    /// The leaves of `na` unit-stride elements from `a` and `nb` from `b` (`8 <= na, nb <=
    /// LEAF`), as [`leaf_pair_sum`] gives them, which a kernel may compute faster as long
    /// as the results are the same.
    ///
    /// # Safety
    /// `a` and `b` address `na` and `nb` consecutive valid elements of the source dtype.
    #[inline(always)]
    unsafe fn leaf_pair_unit(
        &self,
        a: *const u8,
        na: usize,
        b: *const u8,
        nb: usize,
    ) -> (Self::A, Self::A)
    where
        Self: Sized,
    {
        // SAFETY: the caller's contract.
        unsafe {
            leaf_pair_sum(
                self,
                (TypedAt::<Self::E>::new(a), na),
                (TypedAt::<Self::E>::new(b), nb),
            )
        }
    }

    /// The pairwise leaf of a tile's rows whose `out.len()` columns are unit-stride, written
    /// to `out` in [`super::rows`]' leaf order, which a kernel may compute faster (its
    /// accumulators in registers, [`super::floatrows`]); `false` (nothing written) where
    /// it has no such way, and the caller computes it.
    ///
    /// # Safety
    /// Every element of the leaf's rows and `out.len()` columns is valid for the kernel.
    #[inline(always)]
    unsafe fn leaf_rows_unit(&self, leaf: RowsLeaf, out: &mut [Self::A]) -> bool {
        let _ = (leaf, out);
        false
    }

    /// `acc[j] = combine(…combine(acc[j], load(rows[0] + j))…, load(rows[R-1] + j))` for
    /// every `j`: `R` fold steps of whole rows of unit-stride elements onto a row of
    /// accumulators (each accumulator loaded and stored once), which a kernel may compute
    /// faster (several lanes at once) as long as every value is the same.
    ///
    /// # Safety
    /// Each of `rows` addresses `acc.len()` consecutive valid elements of the source dtype.
    #[inline(always)]
    unsafe fn fold_rows_unit<const R: usize>(&self, acc: &mut [Self::A], rows: [*const u8; R]) {
        let size = std::mem::size_of::<Self::E>();
        for (j, a) in acc.iter_mut().enumerate() {
            let mut v = *a;
            for p in rows {
                // SAFETY: element `j < acc.len()` of a row (the caller's contract).
                v = self.combine(v, unsafe { self.load(p.wrapping_add(j * size)) });
            }
            *a = v;
        }
    }

    /// `acc[j] = combine(acc[j], later[j])` for every `j` (`later` as long as `acc`): two
    /// rows of accumulators, the earlier one first.
    #[inline(always)]
    fn combine_rows(&self, acc: &mut [Self::A], later: &[Self::A]) {
        for (a, &b) in acc.iter_mut().zip(later) {
            *a = self.combine(*a, b);
        }
    }
}

/// A [`Kern`] for elements of type `E` built from two closures; `load`'s closure reads through the raw pointer it is
/// given, so [`K::new`] is `unsafe`.
pub(super) struct K<A, E, L, C> {
    load: L,
    combine: C,
    order: Order,
    _a: PhantomData<fn() -> (A, E)>,
}

impl<A, E, L, C> K<A, E, L, C>
where
    A: Copy + Send + Sync,
    L: Fn(*const u8) -> A + Sync,
    C: Fn(A, A) -> A + Sync,
{
    /// A kernel from a loader and a combiner.
    ///
    /// # Safety
    /// `load` may dereference its argument; it must read exactly one element of the dtype
    /// of the view it will be used on.
    pub unsafe fn new(load: L, combine: C, order: Order) -> Self {
        K {
            load,
            combine,
            order,
            _a: PhantomData,
        }
    }
}

impl<A, E, L, C> Kern for K<A, E, L, C>
where
    A: Copy + Send + Sync,
    L: Fn(*const u8) -> A + Sync,
    C: Fn(A, A) -> A + Sync,
{
    type A = A;
    type E = E;

    #[inline(always)]
    unsafe fn load(&self, p: *const u8) -> A {
        (self.load)(p)
    }

    #[inline(always)]
    fn combine(&self, a: A, b: A) -> A {
        (self.combine)(a, b)
    }

    fn order(&self) -> Order {
        self.order
    }
}
