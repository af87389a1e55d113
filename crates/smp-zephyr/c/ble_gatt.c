/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The C half of the Bluetooth LE SMP transport (src/ble.rs is the rest): what
 * only Zephyr's C macros express (the static GATT service, the advertising
 * data, the connection callbacks) and the calls that need those objects.
 * Built only with CONFIG_RUST_SMP_TRANSPORT_BT.
 */

#include <zephyr/kernel.h>
#include <zephyr/bluetooth/bluetooth.h>
#include <zephyr/bluetooth/conn.h>
#include <zephyr/bluetooth/gatt.h>
#include <zephyr/bluetooth/uuid.h>
#include <zephyr/logging/log.h>
#ifdef CONFIG_BT_SETTINGS
#include <zephyr/devicetree.h>
#include <zephyr/settings/settings.h>
#endif

LOG_MODULE_REGISTER(rust_smp_bt, LOG_LEVEL_INF);

/* src/ble.rs */
int rust_smp_bt_write(struct bt_conn *conn, const uint8_t *data, uint16_t len);
void rust_smp_bt_link_down(void);

#define SMP_SVC_UUID_VAL BT_UUID_128_ENCODE(0x8d53dc1d, 0x1db7, 0x4cd3, 0x868b, 0x8a527460aa84)
#define SMP_CHR_UUID_VAL BT_UUID_128_ENCODE(0xda2e7828, 0xfbce, 0x4e01, 0xae9e, 0x261174997c48)

/* The permission of the characteristic's value (written) and of its CCC
 * descriptor (notifications turned on), as smp_bt's SMP_GATT_PERM: a link
 * without the security asked for gets ATT's insufficient authentication
 * (encryption, from a bonded peer) error, and the write never reaches
 * rust_smp_bt_write.
 */
#if defined(CONFIG_RUST_SMP_TRANSPORT_BT_PERM_RW_AUTHEN)
#define SMP_PERM(rw) BT_GATT_PERM_##rw##_AUTHEN
#elif defined(CONFIG_RUST_SMP_TRANSPORT_BT_PERM_RW_ENCRYPT)
#define SMP_PERM(rw) BT_GATT_PERM_##rw##_ENCRYPT
#else
#define SMP_PERM(rw) BT_GATT_PERM_##rw
#endif

/* Write commands and write requests alike (ATT checks permissions), as smp_bt. */
static ssize_t smp_write(struct bt_conn *conn, const struct bt_gatt_attr *attr, const void *buf,
			 uint16_t len, uint16_t offset, uint8_t flags)
{
	if (offset != 0) {
		return BT_GATT_ERR(BT_ATT_ERR_INVALID_OFFSET);
	}
	int err = rust_smp_bt_write(conn, buf, len);

	return err ? BT_GATT_ERR(err) : len;
}

static void smp_ccc_changed(const struct bt_gatt_attr *attr, uint16_t value)
{
	if (value == 0) {
		rust_smp_bt_link_down();
	}
}

BT_GATT_SERVICE_DEFINE(smp_svc, BT_GATT_PRIMARY_SERVICE(BT_UUID_DECLARE_128(SMP_SVC_UUID_VAL)),
		       BT_GATT_CHARACTERISTIC(BT_UUID_DECLARE_128(SMP_CHR_UUID_VAL),
					      BT_GATT_CHRC_WRITE_WITHOUT_RESP | BT_GATT_CHRC_NOTIFY,
					      SMP_PERM(WRITE), NULL, smp_write, NULL),
		       BT_GATT_CCC(smp_ccc_changed, SMP_PERM(READ) | SMP_PERM(WRITE)));

static K_SEM_DEFINE(notify_done, 0, 1);

static void notify_sent(struct bt_conn *conn, void *user_data)
{
	k_sem_give(&notify_done);
}

/* Sends one notification and waits until it is out (or the link is down: the
 * disconnected callback gives the semaphore, a dropped notification never
 * completes), so a long response does not take every ATT buffer.
 */
int rust_smp_bt_notify(struct bt_conn *conn, const uint8_t *data, uint16_t len)
{
	/* attrs[2]: the characteristic's value. */
	struct bt_gatt_notify_params params = {
		.attr = &smp_svc.attrs[2], .data = data, .len = len, .func = notify_sent};

	k_sem_reset(&notify_done);
	int err = bt_gatt_notify_cb(conn, &params);

	if (err == 0) {
		k_sem_take(&notify_done, K_FOREVER);
	}
	return err;
}

/* Service UUID advertised, name in the scan response (31 bytes), as smp_svr. */
static const struct bt_data ad[] = {
	BT_DATA_BYTES(BT_DATA_FLAGS, (BT_LE_AD_GENERAL | BT_LE_AD_NO_BREDR)),
	BT_DATA_BYTES(BT_DATA_UUID128_ALL, SMP_SVC_UUID_VAL),
};
static const struct bt_data sd[] = {
	BT_DATA(BT_DATA_NAME_COMPLETE, CONFIG_BT_DEVICE_NAME, sizeof(CONFIG_BT_DEVICE_NAME) - 1),
};

static void advertise(struct k_work *work)
{
	int err = bt_le_adv_start(BT_LE_ADV_CONN_FAST_1, ad, ARRAY_SIZE(ad), sd, ARRAY_SIZE(sd));

	if (err != 0 && err != -EALREADY) {
		LOG_ERR("advertising failed to start (err %d)", err);
	}
}

static K_WORK_DEFINE(advertise_work, advertise);

/* Advertising stops on a connection; it resumes when the connection object
 * is free again (recycled: every reference dropped) or a connection failed.
 */
static void connected(struct bt_conn *conn, uint8_t err)
{
	if (err != 0) {
		k_work_submit(&advertise_work);
	}
}

static void disconnected(struct bt_conn *conn, uint8_t reason)
{
	rust_smp_bt_link_down();
	k_sem_give(&notify_done);
}

static void recycled(void)
{
	k_work_submit(&advertise_work);
}

#ifdef CONFIG_BT_SMP
static void security_changed(struct bt_conn *conn, bt_security_t level, enum bt_security_err err)
{
	if (err != 0) {
		LOG_WRN("security level %d not reached (err %d)", level, err);
	} else {
		LOG_DBG("security level %d", level);
	}
}

static void pairing_complete(struct bt_conn *conn, bool bonded)
{
	LOG_INF("paired (%s)", bonded ? "bonded" : "not bonded");
}

static void pairing_failed(struct bt_conn *conn, enum bt_security_err reason)
{
	LOG_WRN("pairing failed (reason %d)", reason);
}

static struct bt_conn_auth_info_cb auth_info = {
	.pairing_complete = pairing_complete, .pairing_failed = pairing_failed};
#endif

BT_CONN_CB_DEFINE(rust_smp_bt_conn_callbacks) = {
	.connected = connected,
	.disconnected = disconnected,
	.recycled = recycled,
#ifdef CONFIG_BT_SMP
	.security_changed = security_changed,
#endif
};

#ifdef CONFIG_BT_SETTINGS
/* Bonds live in the settings; a settings backend on a flash partition (NVS,
 * ZMS, FCB: overlays/bluetooth.conf's NVS on storage_partition) must not be
 * the partition littlefs is mounted from (overlays/fs.overlay): add
 * overlays/settings.conf, which keeps the settings in a file there.
 */
#if defined(CONFIG_SETTINGS_NVS) || defined(CONFIG_SETTINGS_ZMS) || defined(CONFIG_SETTINGS_FCB)
#if DT_HAS_CHOSEN(zephyr_settings_partition)
#define SETTINGS_NODE DT_CHOSEN(zephyr_settings_partition)
#else
#define SETTINGS_NODE DT_NODELABEL(storage_partition)
#endif
#define ON_SETTINGS_PARTITION(node) || DT_SAME_NODE(DT_PHANDLE(node, partition), SETTINGS_NODE)
BUILD_ASSERT(!(0 DT_FOREACH_STATUS_OKAY(zephyr_fstab_littlefs, ON_SETTINGS_PARTITION)),
	     "littlefs and the settings (Bluetooth bonds) on one partition: with overlays/fs.conf "
	     "add overlays/settings.conf (settings in a file) or give the settings their own "
	     "partition (chosen zephyr,settings-partition)");
#endif

static void count_bond(const struct bt_bond_info *info, void *user_data)
{
	++*(int *)user_data;
}
#endif

int rust_smp_bt_start(void)
{
	int err = bt_enable(NULL);

	if (err != 0) {
		return err;
	}
#ifdef CONFIG_BT_SMP
	bt_conn_auth_info_cb_register(&auth_info);
#endif
#ifdef CONFIG_BT_SETTINGS
	/* After bt_enable, as its documentation asks: the identity and the bonds
	 * (the settings group, if any, loaded the rest before, when the host
	 * ignored "bt/").
	 */
	err = settings_load_subtree("bt");
	if (err != 0) {
		LOG_ERR("Bluetooth settings not loaded (err %d): no identity, no bonds", err);
	}
	int bonds = 0;

	bt_foreach_bond(BT_ID_DEFAULT, count_bond, &bonds);
	LOG_INF("%d bonded peers", bonds);
#endif
	k_work_submit(&advertise_work);
	return 0;
}
