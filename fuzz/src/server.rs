//! `Server::process` with every group, on the test bench's fakes.

use smp_server::flash::FlashArea;
use smp_server::mcuboot::{align_down, TrailerLayout};
use smp_server::testing::Bench;
use smp_server::Header;

use crate::config::BenchConfig;
use crate::response::check_response;

/// One buffer, as one datagram or one reassembled frame, into a fresh
/// server: it may hold several packets, which are answered in order.
///
/// Input: the [`BenchConfig`] bytes, then the buffer.
pub fn server_request(data: &[u8]) {
    let Some((config, input)) = BenchConfig::split(data) else {
        return;
    };
    let mut bench = config.bench();
    let running = RunningSlots::of(&mut bench);
    exchange(&mut bench, input);
    running.check_untouched(&mut bench);
}

/// A session: the input cut into one request per `process` call, all
/// against the same server and device, so that multi-step paths (an image
/// upload in chunks, then test and confirm; fs uploads and downloads in
/// pieces; settings written, saved and read back) are reached.
///
/// Input: the [`BenchConfig`] bytes, then requests back to back, each as
/// long as its header says (see [`split_requests`]).
pub fn server_stream(data: &[u8]) {
    let Some((config, input)) = BenchConfig::split(data) else {
        return;
    };
    let mut bench = config.bench();
    let running = RunningSlots::of(&mut bench);
    for request in split_requests(input) {
        exchange(&mut bench, request);
        running.check_untouched(&mut bench);
    }
}

/// Cuts `input` into packets by the length in each header: a piece shorter
/// than its header says (or than a header) ends the input.
pub fn split_requests(mut input: &[u8]) -> Vec<&[u8]> {
    let mut requests = Vec::new();
    while !input.is_empty() {
        let len = Header::parse(input).map_or(input.len(), |h| h.packet_len());
        let (request, rest) = input.split_at(len.min(input.len()));
        requests.push(request);
        input = rest;
    }
    requests
}

/// Sends `input` through the bench's server; asserts one well-formed answer
/// per request with a full header, in order.
fn exchange(bench: &mut Bench, input: &[u8]) {
    let requests = headers_in(input);
    let responses = bench.raw(input);
    assert_eq!(
        responses.len(),
        requests.len(),
        "one response per request with a full header: requests {requests:?}"
    );
    for (request, response) in requests.iter().zip(&responses) {
        check_response(request, response, bench.tx_size);
    }
}

/// The header of each request in a buffer, as SMP defines them: a header,
/// then the payload its length announces, then the next header; one whose
/// payload is cut short is the last (and is answered with an error).
fn headers_in(mut input: &[u8]) -> Vec<Header> {
    let mut headers = Vec::new();
    while let Some(header) = Header::parse(input) {
        headers.push(header);
        match input.get(header.packet_len()..) {
            Some(rest) => input = rest,
            None => break,
        }
    }
    headers
}

/// The running image of each pair, as it was before the requests: nothing
/// may write or erase it (uploads, erase and direct upload must pick another
/// slot). Its trailer is excluded: confirming the running image writes its
/// `image_ok` there.
struct RunningSlots {
    /// Absolute slot, where its trailer's sector starts, the bytes before.
    slots: Vec<(usize, u32, Vec<u8>)>,
}

impl RunningSlots {
    fn of(bench: &mut Bench) -> Self {
        let image = bench.dev.image.as_mut().expect("the bench has image slots");
        let max_align = image.config.max_align;
        let slots = (0..usize::from(image.image_count))
            .map(|pair| {
                let slot = usize::from(image.active[pair]);
                let flash = image.flash(slot);
                let layout = TrailerLayout::new(flash.size(), max_align);
                let trailer_from = align_down(
                    flash.size().saturating_sub(layout.info_size()),
                    flash.erase_size(),
                );
                let image_bytes = flash.data[..trailer_from as usize].to_vec();
                (slot, trailer_from, image_bytes)
            })
            .collect();
        RunningSlots { slots }
    }

    fn check_untouched(&self, bench: &mut Bench) {
        let image = bench.dev.image.as_mut().expect("the bench has image slots");
        for (slot, trailer_from, image_bytes) in &self.slots {
            let flash = image.flash(*slot);
            for &(offset, len) in &flash.writes {
                assert!(
                    offset >= *trailer_from,
                    "running slot {slot} written at {offset:#x}, {len} bytes"
                );
            }
            for &(from, to) in &flash.erases {
                assert!(
                    from >= *trailer_from,
                    "running slot {slot} erased from {from:#x} to {to:#x}"
                );
            }
            assert!(
                flash.data[..image_bytes.len()] == image_bytes[..],
                "running slot {slot} changed"
            );
        }
    }
}
