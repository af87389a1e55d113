/*
 * Zephyr's own MCUmgr client driving an SMP server over UDP: a fixed script
 * (echo, image state, upload, test, reset, state after the boot), one line per
 * step, exit status 1 at the first failure. Built for native_sim/native/64 by
 * tests/zephyr/run-zephyr-client, which passes:
 *
 *   --server=IP:PORT       the server (UDP, IPv4)
 *   --hash=HEX             the SHA-256 TLV of the built-in image: the hash
 *                          the server must report for it
 *   --after-reset=swapped  a bootloader ran at the reset: the new image is in
 *                          slot 0, active; it is then confirmed
 *   --after-reset=pending  no bootloader: the image is still in slot 1,
 *                          pending
 *
 * The image (CMake's CLIENT_IMAGE) is compiled in: image.inc.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/net/socket.h>
#include <zephyr/mgmt/mcumgr/mgmt/mgmt_defines.h>
#include <zephyr/mgmt/mcumgr/smp/smp_client.h>
#include <zephyr/mgmt/mcumgr/transport/smp.h>
#include <zephyr/mgmt/mcumgr/grp/os_mgmt/os_mgmt_client.h>
#include <zephyr/mgmt/mcumgr/grp/img_mgmt/img_mgmt_client.h>

#include <cmdline.h>
#include <posix_board_if.h>
#include <posix_native_task.h>

static const uint8_t image[] = {
#include "image.inc"
};
BUILD_ASSERT(sizeof(image) == CLIENT_IMAGE_SIZE);

static char *server_arg;
static char *hash_arg;
static char *after_reset_arg;

static void add_options(void)
{
	static struct args_struct_t options[] = {
		{false, true, false, "server", "IP:PORT", 's', (void *)&server_arg, NULL,
		 "The SMP server (UDP, IPv4)"},
		{false, true, false, "hash", "HEX", 's', (void *)&hash_arg, NULL,
		 "SHA-256 TLV of the built-in image, as the server reports it"},
		{false, true, false, "after-reset", "swapped|pending", 's',
		 (void *)&after_reset_arg, NULL,
		 "What the reset does: a bootloader swaps the image in, or none runs"},
		ARG_TABLE_ENDMARKER,
	};

	native_add_command_line_opts(options);
}
NATIVE_TASK(add_options, PRE_BOOT_1, 10);

static struct sockaddr_in server;
static int sock = -1;
static struct smp_transport udp_transport;
static struct smp_client_transport_entry udp_client_entry = {
	.smpt = &udp_transport,
	.smpt_type = SMP_USER_DEFINED_TRANSPORT,
};

/*
 * The client's UDP transport. Zephyr's own (CONFIG_MCUMGR_TRANSPORT_UDP) sends
 * from the SMP work queue while its receive thread waits in a blocking
 * recvfrom on the same socket. On native_sim's offloaded sockets, in this
 * Zephyr, a blocking recvfrom keeps the socket's lock for as long as it waits
 * (later Zephyr releases it), so that sendto never returns: every request
 * would time out. This transport waits in poll, which releases the lock, and
 * reads without blocking. It also sends every request to the server, where
 * Zephyr's sends a buffer to the address in its user data (a request's
 * sender, for a server; later Zephyr adds smp_client_udp_set_host_addr).
 * Everything else is Zephyr's: the SMP client (sequence numbers, retries,
 * matching responses), the os and img client groups (their CBOR, the upload's
 * chunking), the SMP transport layer.
 */
static int udp_output(struct net_buf *nb)
{
	ssize_t sent = zsock_sendto(sock, nb->data, nb->len, 0, (struct sockaddr *)&server,
				    sizeof(server));

	smp_packet_free(nb);
	return sent < 0 ? MGMT_ERR_EINVAL : MGMT_ERR_EOK;
}

static uint16_t udp_get_mtu(const struct net_buf *nb)
{
	ARG_UNUSED(nb);
	return CONFIG_MCUMGR_TRANSPORT_NETBUF_SIZE;
}

static void udp_receive(void *p1, void *p2, void *p3)
{
	ARG_UNUSED(p1);
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);

	for (;;) {
		struct zsock_pollfd pfd = {.fd = sock, .events = ZSOCK_POLLIN};
		struct net_buf *nb;
		ssize_t len;

		if (zsock_poll(&pfd, 1, -1) <= 0) {
			continue;
		}
		nb = smp_packet_alloc();
		if (nb == NULL) {
			/* No buffer: drop the datagram, the client retries. */
			(void)zsock_recv(sock, NULL, 0, ZSOCK_MSG_DONTWAIT);
			continue;
		}
		len = zsock_recv(sock, nb->data, net_buf_tailroom(nb), ZSOCK_MSG_DONTWAIT);
		if (len <= 0) {
			smp_packet_free(nb);
			continue;
		}
		net_buf_add(nb, len);
		smp_rx_req(&udp_transport, nb);
	}
}

K_THREAD_STACK_DEFINE(udp_receive_stack, 4096);
static struct k_thread udp_receive_thread;

static bool udp_transport_start(void)
{
	struct sockaddr_in any = {.sin_family = AF_INET};

	sock = zsock_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	if (sock < 0 || zsock_bind(sock, (struct sockaddr *)&any, sizeof(any)) < 0) {
		return false;
	}
	udp_transport.functions.output = udp_output;
	udp_transport.functions.get_mtu = udp_get_mtu;
	if (smp_transport_init(&udp_transport) != 0) {
		return false;
	}
	smp_client_transport_register(&udp_client_entry);
	k_thread_create(&udp_receive_thread, udp_receive_stack,
			K_THREAD_STACK_SIZEOF(udp_receive_stack), udp_receive, NULL, NULL, NULL,
			K_PRIO_PREEMPT(1), 0, K_NO_WAIT);
	return true;
}

static void step(const char *name, bool ok, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", name, detail[0] ? ": " : "", detail);
	if (!ok) {
		posix_exit(1);
	}
}

static bool parse_hex(const char *text, uint8_t *out, size_t len)
{
	if (text == NULL || strlen(text) != 2 * len) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char byte[3] = {text[2 * i], text[2 * i + 1], 0};
		char *end;

		out[i] = (uint8_t)strtoul(byte, &end, 16);
		if (*end != 0) {
			return false;
		}
	}
	return true;
}

static bool parse_server(const char *text)
{
	char host[40];
	const char *colon = text ? strrchr(text, ':') : NULL;

	if (colon == NULL || colon - text >= (ptrdiff_t)sizeof(host)) {
		return false;
	}
	memcpy(host, text, colon - text);
	host[colon - text] = 0;
	server.sin_family = AF_INET;
	server.sin_port = htons((uint16_t)atoi(colon + 1));
	return zsock_inet_pton(AF_INET, host, &server.sin_addr) == 1;
}

static void describe(const struct mcumgr_image_state *state, char *out, size_t size)
{
	size_t used = 0;

	out[0] = 0;
	for (int i = 0; i < state->image_list_length && used < size; i++) {
		const struct mcumgr_image_data *d = &state->image_list[i];

		used += snprintf(out + used, size - used,
				 "%s[image %u slot %u %s %02x%02x%02x%02x%s%s%s%s%s]",
				 i ? " " : "", d->img_num, d->slot_num, d->version,
				 (uint8_t)d->hash[0], (uint8_t)d->hash[1], (uint8_t)d->hash[2],
				 (uint8_t)d->hash[3], d->flags.bootable ? " bootable" : "",
				 d->flags.pending ? " pending" : "",
				 d->flags.confirmed ? " confirmed" : "",
				 d->flags.active ? " active" : "",
				 d->flags.permanent ? " permanent" : "");
	}
}

static const struct mcumgr_image_data *find_slot(const struct mcumgr_image_state *state,
						 uint32_t slot)
{
	for (int i = 0; i < state->image_list_length; i++) {
		if (state->image_list[i].img_num == 0 && state->image_list[i].slot_num == slot) {
			return &state->image_list[i];
		}
	}
	return NULL;
}

int main(void)
{
	static struct smp_client_object smp;
	static struct os_mgmt_client os;
	static struct img_mgmt_client img;
	static struct mcumgr_image_data list[4];
	static struct mcumgr_image_state state;
	static struct mcumgr_image_upload upload;
	static char detail[256];
	uint8_t expected[IMG_MGMT_DATA_SHA_LEN];
	uint8_t file_sha[IMG_MGMT_DATA_SHA_LEN];
	const struct mcumgr_image_data *slot;
	bool swapped;
	int rc;

	if (!parse_server(server_arg) || !parse_hex(hash_arg, expected, sizeof(expected)) ||
	    after_reset_arg == NULL ||
	    (strcmp(after_reset_arg, "swapped") != 0 && strcmp(after_reset_arg, "pending") != 0)) {
		step("arguments", false, "--server=IP:PORT --hash=HEX --after-reset=swapped|pending");
	}
	swapped = strcmp(after_reset_arg, "swapped") == 0;
	(void)parse_hex(CLIENT_IMAGE_SHA256, file_sha, sizeof(file_sha));

	step("UDP client transport", udp_transport_start(), "");
	rc = smp_client_object_init(&smp, SMP_USER_DEFINED_TRANSPORT);
	step("smp_client_object_init", rc == MGMT_ERR_EOK, "");
	os_mgmt_client_init(&os, &smp);
	img_mgmt_client_init(&img, &smp, ARRAY_SIZE(list), list);

	rc = os_mgmt_client_echo(&os, "zephyr client", 32);
	snprintf(detail, sizeof(detail), "rc %d", rc);
	step("os echo", rc == MGMT_ERR_EOK, detail);

	rc = img_mgmt_client_state_read(&img, &state);
	describe(&state, detail, sizeof(detail));
	step("image state read", rc == MGMT_ERR_EOK && find_slot(&state, 0) != NULL, detail);

	rc = img_mgmt_client_upload_init(&img, sizeof(image), 0, (const char *)file_sha);
	step("image upload init", rc == MGMT_ERR_EOK, "");
	/* img_mgmt_client_upload returns early when the server's offset jumps
	 * ahead (a resumed upload): go on from where the server is.
	 */
	uint8_t first_seq = smp.smp_seq;

	do {
		size_t from = img.upload.offset;

		rc = img_mgmt_client_upload(&img, image + from, sizeof(image) - from, &upload);
	} while (rc == MGMT_ERR_EOK && img.upload.offset < sizeof(image));
	/* Requests counted by their sequence numbers (8 bits: the image is small). */
	snprintf(detail, sizeof(detail), "rc %d, %zu of %zu bytes in %u requests", rc,
		 img.upload.offset, sizeof(image), (uint8_t)(smp.smp_seq - first_seq));
	step("image upload", rc == MGMT_ERR_EOK && img.upload.offset == sizeof(image), detail);

	rc = img_mgmt_client_state_read(&img, &state);
	describe(&state, detail, sizeof(detail));
	slot = find_slot(&state, 1);
	step("image state read: the upload in slot 1",
	     rc == MGMT_ERR_EOK && slot != NULL && memcmp(slot->hash, expected, 32) == 0 &&
		     !slot->flags.pending,
	     detail);

	rc = img_mgmt_client_state_write(&img, (char *)expected, false, &state);
	describe(&state, detail, sizeof(detail));
	slot = find_slot(&state, 1);
	step("image state write (test)",
	     rc == MGMT_ERR_EOK && slot != NULL && slot->flags.pending && !slot->flags.permanent,
	     detail);

	rc = os_mgmt_client_reset(&os);
	snprintf(detail, sizeof(detail), "rc %d", rc);
	step("os reset", rc == MGMT_ERR_EOK, detail);

	/* The server answers, then restarts: ask until it is back. */
	for (int attempt = 0; attempt < 5; attempt++) {
		rc = img_mgmt_client_state_read(&img, &state);
		if (rc == MGMT_ERR_EOK) {
			break;
		}
	}
	describe(&state, detail, sizeof(detail));
	if (swapped) {
		slot = find_slot(&state, 0);
		step("image state read after the boot: swapped in, active",
		     rc == MGMT_ERR_EOK && slot != NULL && memcmp(slot->hash, expected, 32) == 0 &&
			     slot->flags.active && !slot->flags.confirmed,
		     detail);

		/* No hash: confirm the running image. */
		rc = img_mgmt_client_state_write(&img, NULL, true, &state);
		describe(&state, detail, sizeof(detail));
		slot = find_slot(&state, 0);
		step("image state write (confirm)",
		     rc == MGMT_ERR_EOK && slot != NULL && memcmp(slot->hash, expected, 32) == 0 &&
			     slot->flags.confirmed,
		     detail);
	} else {
		slot = find_slot(&state, 1);
		step("image state read after the boot: still pending in slot 1",
		     rc == MGMT_ERR_EOK && slot != NULL && memcmp(slot->hash, expected, 32) == 0 &&
			     slot->flags.pending,
		     detail);
	}

	printf("zephyr client: all steps passed\n");
	posix_exit(0);
	return 0;
}
