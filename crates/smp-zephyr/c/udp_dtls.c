/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The UDP transport's DTLS setup (CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS), in C
 * for the TLS socket options and credential types, which are macros: the
 * test PSK from Kconfig added as a credential, and a DTLS socket made a
 * server using the transport's security tag.
 */

#include <errno.h>
#include <zephyr/kernel.h>
#include <zephyr/net/socket.h>
#include <zephyr/net/tls_credentials.h>
#include <zephyr/sys/util.h>

#define PSK_HEX CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS_PSK
#define PSK_ID CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS_PSK_ID
#define TAG CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS_TLS_TAG

/* The Kconfig PSK as bytes (the credential store keeps a pointer to it). */
static uint8_t psk[(sizeof(PSK_HEX) - 1) / 2 + 1];
static bool psk_added;

/* Adds the Kconfig PSK and its identity under TAG, once: 0, or a negative
 * errno (-EINVAL for a PSK that is not an even number of hex digits).
 */
static int add_psk(void)
{
	size_t len;
	int rc;

	if (sizeof(PSK_HEX) == 1 || psk_added) {
		return 0;
	}
	len = hex2bin(PSK_HEX, sizeof(PSK_HEX) - 1, psk, sizeof(psk));
	if (len == 0 || len * 2 != sizeof(PSK_HEX) - 1) {
		return -EINVAL;
	}
	rc = tls_credential_add(TAG, TLS_CREDENTIAL_PSK, psk, len);
	if (rc < 0 && rc != -EEXIST) {
		return rc;
	}
	rc = tls_credential_add(TAG, TLS_CREDENTIAL_PSK_ID, PSK_ID, sizeof(PSK_ID) - 1);
	if (rc < 0 && rc != -EEXIST) {
		return rc;
	}
	psk_added = true;
	return 0;
}

/* A DTLS 1.2 datagram socket of `family` in the server role with TAG's
 * credentials: its descriptor, or -1 with errno set.
 */
int rust_smp_udp_dtls_socket(int family)
{
	static const sec_tag_t tags[] = {TAG};
	int role = TLS_DTLS_ROLE_SERVER;
	int rc = add_psk();
	int fd;

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	fd = zsock_socket(family, SOCK_DGRAM, IPPROTO_DTLS_1_2);
	if (fd < 0) {
		return -1;
	}
	if (zsock_setsockopt(fd, SOL_TLS, TLS_SEC_TAG_LIST, tags, sizeof(tags)) < 0 ||
	    zsock_setsockopt(fd, SOL_TLS, TLS_DTLS_ROLE, &role, sizeof(role)) < 0) {
		rc = errno;
		(void)zsock_close(fd);
		errno = rc;
		return -1;
	}
	return fd;
}
