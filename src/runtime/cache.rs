//! A bounded, thread-safe LRU cache, and the global kernel cache built on it.
//!
//! Values are handed out as `Arc`s: an evicted kernel stays alive (and its code mapped)
//! until the last running call drops its `Arc`, then its memory is freed.

use crate::codegen::{Codegen, Extremes, Kernel, Layout, LeafSums, MathImpl};
use crate::ir::InputDecl;
use crate::runtime::tuner::Tuner;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

/// Kernels kept by the global cache; beyond it the least recently used is dropped.
pub const KERNEL_CACHE_CAPACITY: usize = 256;

/// A bounded map that evicts its least recently used entry when full.
///
/// Eviction scans for the oldest stamp: O(capacity) per insert into a full cache, which for
/// a few hundred entries costs far less than compiling the kernel that triggered it, and
/// keeps hits (the hot path) to one hash lookup.
pub struct LruCache<K, V> {
    inner: Mutex<Inner<K, V>>,
    capacity: usize,
}

struct Inner<K, V> {
    map: HashMap<K, (Arc<V>, u64)>,
    clock: u64,
}

impl<K: Hash + Eq + Clone, V> LruCache<K, V> {
    /// An empty cache holding at most `capacity` entries (at least 1).
    pub fn new(capacity: usize) -> Self {
        LruCache {
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                clock: 0,
            }),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        // The map is never left half-updated, so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value for `key`, marking it most recently used.
    pub fn get<Q>(&self, key: &Q) -> Option<Arc<V>>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut g = self.lock();
        g.clock += 1;
        let now = g.clock;
        g.map.get_mut(key).map(|(v, stamp)| {
            *stamp = now;
            Arc::clone(v)
        })
    }

    /// Inserts `value` unless `key` is already present, and returns the cached value (the
    /// existing one if another thread got there first, so that callers share one kernel).
    pub fn insert(&self, key: K, value: V) -> Arc<V> {
        let mut g = self.lock();
        g.clock += 1;
        let now = g.clock;
        if let Some((v, stamp)) = g.map.get_mut(&key) {
            *stamp = now;
            return Arc::clone(v);
        }
        if g.map.len() >= self.capacity {
            let oldest = g
                .map
                .iter()
                .min_by_key(|(_, (_, stamp))| *stamp)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                g.map.remove(&k);
            }
        }
        let v = Arc::new(value);
        g.map.insert(key, (Arc::clone(&v), now));
        v
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// `true` when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every entry.
    pub fn clear(&self) {
        self.lock().map.clear();
    }
}

/// What a kernel is cached under: the expression text, the dtypes of the inputs it uses
/// (in order of first use), and the access pattern of each operand.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct KernelKey {
    /// The source text.
    pub source: Arc<str>,
    /// The program's inputs.
    pub inputs: Arc<[InputDecl]>,
    /// The layout it was compiled for.
    pub layout: Layout,
    /// How it computes transcendentals.
    pub math: MathImpl,
    /// The code generator asked for.
    pub codegen: Codegen,
}

/// A compiled kernel with what its runs have measured (`runtime::tuner`), so that every
/// call of the same kernel learns from the others.
#[derive(Debug)]
pub(crate) struct CachedKernel {
    /// The compiled code.
    pub kernel: Kernel,
    /// Its schedules' timings.
    pub tuner: Tuner,
    /// The program's leaf sums (`codegen::compile_leaf_sums`), compiled when a fused
    /// reduction first asks for them; `None` inside when the program does not qualify.
    pub leaf_sums: OnceLock<Option<LeafSums>>,
    /// The program's running `min` and `max` (`codegen::compile_extremes`, index 0 for
    /// `min`), compiled when a fused reduction first asks for one; `None` inside when the
    /// program does not qualify.
    pub extremes: [OnceLock<Option<Extremes>>; 2],
}

/// The process-wide kernel cache.
pub(crate) fn kernels() -> &'static LruCache<KernelKey, CachedKernel> {
    static CACHE: OnceLock<LruCache<KernelKey, CachedKernel>> = OnceLock::new();
    CACHE.get_or_init(|| LruCache::new(KERNEL_CACHE_CAPACITY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_least_recently_used() {
        let c: LruCache<u32, String> = LruCache::new(2);
        c.insert(1, "one".into());
        c.insert(2, "two".into());
        // Touch 1 so that 2 becomes the oldest.
        assert_eq!(c.get(&1).as_deref().map(String::as_str), Some("one"));
        c.insert(3, "three".into());
        assert_eq!(c.len(), 2);
        assert!(c.get(&2).is_none());
        assert!(c.get(&1).is_some());
        assert!(c.get(&3).is_some());
    }

    #[test]
    fn evicted_values_live_while_held() {
        let c: LruCache<u32, Vec<u8>> = LruCache::new(1);
        let held = c.insert(1, vec![7; 3]);
        c.insert(2, vec![8]);
        assert!(c.get(&1).is_none());
        assert_eq!(*held, vec![7, 7, 7]);
        assert_eq!(Arc::strong_count(&held), 1);
    }

    #[test]
    fn first_insert_wins() {
        let c: LruCache<&'static str, u32> = LruCache::new(4);
        let a = c.insert("k", 1);
        let b = c.insert("k", 2);
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(*b, 1);
    }

    #[test]
    fn thread_safe_under_contention() {
        let c: Arc<LruCache<u32, u32>> = Arc::new(LruCache::new(8));
        let handles: Vec<_> = (0..4u32)
            .map(|t| {
                let c = Arc::clone(&c);
                std::thread::spawn(move || {
                    for i in 0..500u32 {
                        let k = (i * 7 + t) % 13;
                        let v = match c.get(&k) {
                            Some(v) => v,
                            None => c.insert(k, k * 10),
                        };
                        assert_eq!(*v, k * 10);
                        assert!(c.len() <= 8);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert!(c.len() <= 8);
    }
}
