//! The formats that grow with the number of results are streamed: writing them takes memory
//! that does not grow with the file. Measured with a counting allocator (this test binary only)
//! while a 3,000-account report is written to a sink that only counts bytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use palisade::render::{self, sample, Format, RenderOptions};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Relaxed);
    }
}

#[global_allocator]
static A: Counting = Counting;

struct CountingSink(usize);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn large_outputs_are_streamed() {
    let report = sample::synthetic(3_000, 27);
    let opts = RenderOptions::default();
    // One test, so no other test's allocations run at the same time in this binary.
    for format in [
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::ActionPlan,
    ] {
        let before = CURRENT.load(Relaxed);
        PEAK.store(before, Relaxed);
        let mut sink = CountingSink(0);
        render::render_to(&report, format, &opts, &mut sink).unwrap();
        let extra = PEAK.load(Relaxed) - before;
        println!(
            "{format}: {} bytes written, {extra} bytes of peak extra memory",
            sink.0
        );
        assert!(sink.0 > 1_000_000, "{format}: only {} bytes", sink.0);
        // Maps over the accounts and checks are allowed (about a tenth of the action plan's
        // size); a copy of the file is not.
        assert!(
            extra < sink.0 / 5,
            "{format}: {extra} bytes of memory to write {} bytes",
            sink.0
        );
    }
}
