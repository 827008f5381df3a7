/*
 * process.c - spawning a companion, its control pipe and its RTP socket
 * (process.h).
 */
#define _GNU_SOURCE   /* pipe2, posix_spawn_file_actions_addclosefrom_np */
#include "process.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

struct rtk_proc {
	gint refs;
	pid_t pid;
	GMutex lock;                     /* stdin_fd */
	int stdin_fd;
	int stdout_fd;                   /* the reader thread's */
	volatile gint rtp_fd;            /* -1 until "ready" */
	volatile gint reaped;            /* waitpid() returned: the pid may be reused */
	const rtk_proc_callbacks *cb;
	void *user_data;
};

rtk_proc *rtk_proc_ref(rtk_proc *proc)
{
	g_atomic_int_inc(&proc->refs);
	return proc;
}

void rtk_proc_unref(rtk_proc *proc)
{
	if (proc == NULL || !g_atomic_int_dec_and_test(&proc->refs))
		return;
	if (proc->stdin_fd >= 0)
		close(proc->stdin_fd);
	int fd = g_atomic_int_get(&proc->rtp_fd);
	if (fd >= 0)
		close(fd);
	g_mutex_clear(&proc->lock);
	g_free(proc);
}

/* Connects the RTP socket to 127.0.0.1:port. */
static void proc_connect_rtp(rtk_proc *proc, int port)
{
	if (port <= 0 || port > 65535 || g_atomic_int_get(&proc->rtp_fd) >= 0)
		return;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return;
	int sndbuf = 4 * 1024 * 1024;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return;
	}
	g_atomic_int_set(&proc->rtp_fd, fd);
}

static void proc_line(const char *line, size_t len, void *user_data)
{
	rtk_proc *proc = user_data;
	rtk_companion_event event;
	if (!rtk_companion_event_parse(line, len, &event))
		return;
	if (event.kind == RTK_COMPANION_EVENT_READY)
		proc_connect_rtp(proc, event.rtp_port);
	if (proc->cb->event != NULL)
		proc->cb->event(proc, &event, proc->user_data);
	rtk_companion_event_clear(&event);
}

/* The reader thread: events until EOF, then reaps the child. */
static gpointer proc_reader(gpointer data)
{
	rtk_proc *proc = data;
	rtk_event_lines lines;
	char buf[4096];
	ssize_t n;
	rtk_event_lines_init(&lines);
	while ((n = read(proc->stdout_fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		rtk_event_lines_feed(&lines, buf, (size_t)n, proc_line, proc);
	}
	rtk_event_lines_clear(&lines);
	close(proc->stdout_fd);
	int status = 0;
	while (waitpid(proc->pid, &status, 0) < 0 && errno == EINTR)
		;
	g_atomic_int_set(&proc->reaped, 1);
	if (proc->cb->exited != NULL)
		proc->cb->exited(proc, status, proc->user_data);
	rtk_proc_unref(proc);
	return NULL;
}

extern char **environ;

/* Starts argv[0] with its stdin and stdout on new pipes (the child's
 * other descriptors above stderr closed), returning our ends. A
 * posix_spawn: the child shares our memory until it execs (vfork), so
 * starting it costs about the same whatever janus's size; a fork, which
 * copies the page tables of every janus thread and then closes the
 * descriptors one by one, took 10-90 ms here (then under the plugin's one
 * state lock of the time). FALSE with *error when it cannot start (a missing
 * or not executable program included: posix_spawn reports exec errors). */
/* `fd`, moved above stderr when it is not (a janus started with its
 * standard descriptors closed hands them out): the spawn's dup2 onto 0 and
 * 1 must not find a pipe end already sitting there, where dup2 would be a
 * no-op and leave it close-on-exec. */
static int proc_fd_above_stdio(int fd)
{
	if (fd < 0 || fd > STDERR_FILENO)
		return fd;
	int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	close(fd);
	return moved;
}

static gboolean proc_start(char **argv, pid_t *pid, int *in_fd, int *out_fd, char **error)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	if (pipe2(in, O_CLOEXEC) == 0) {
		in[0] = proc_fd_above_stdio(in[0]);
		in[1] = proc_fd_above_stdio(in[1]);
	}
	if (pipe2(out, O_CLOEXEC) == 0) {
		out[0] = proc_fd_above_stdio(out[0]);
		out[1] = proc_fd_above_stdio(out[1]);
	}
	if (in[0] < 0 || in[1] < 0 || out[0] < 0 || out[1] < 0) {
		*error = g_strdup_printf("cannot start %s: pipe: %s", argv[0], g_strerror(errno));
		for (int i = 0; i < 2; i++) {
			if (in[i] >= 0)
				close(in[i]);
			if (out[i] >= 0)
				close(out[i]);
		}
		return FALSE;
	}
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
	int rc = posix_spawn(pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(in[0]);
	close(out[1]);
	if (rc != 0) {
		*error = g_strdup_printf("cannot start %s: %s", argv[0], g_strerror(rc));
		close(in[1]);
		close(out[0]);
		return FALSE;
	}
	*in_fd = in[1];
	*out_fd = out[0];
	return TRUE;
}

rtk_proc *rtk_proc_spawn(char **argv, const rtk_proc_callbacks *callbacks, void *user_data, char **error)
{
	pid_t pid;
	int in_fd, out_fd;
	if (!proc_start(argv, &pid, &in_fd, &out_fd, error))
		return NULL;
	/* The plugin writes commands with a meeting lock held: a companion
	 * that stops reading must never block it (see rtk_proc_command). */
	fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
	rtk_proc *proc = g_new0(rtk_proc, 1);
	proc->refs = 2;   /* the spawner's and the reader's */
	proc->pid = pid;
	proc->stdin_fd = in_fd;
	proc->stdout_fd = out_fd;
	proc->rtp_fd = -1;
	proc->cb = callbacks;
	proc->user_data = user_data;
	g_mutex_init(&proc->lock);
	GThread *reader = g_thread_new("rtk-companion", proc_reader, proc);
	g_thread_unref(reader);
	return proc;
}

rtk_proc *rtk_proc_sink_new(const struct sockaddr *addr, socklen_t addr_len)
{
	int fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return NULL;
	int sndbuf = 4 * 1024 * 1024;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	if (connect(fd, addr, addr_len) != 0) {
		close(fd);
		return NULL;
	}
	rtk_proc *proc = g_new0(rtk_proc, 1);
	proc->refs = 1;
	proc->pid = 0;
	proc->reaped = 1;   /* no child: rtk_proc_kill() does nothing */
	proc->stdin_fd = -1;
	proc->stdout_fd = -1;
	proc->rtp_fd = fd;
	g_mutex_init(&proc->lock);
	return proc;
}

gboolean rtk_proc_command(rtk_proc *proc, json_t *command)
{
	char *text = command ? json_dumps(command, JSON_COMPACT) : NULL;
	json_decref(command);
	if (text == NULL)
		return FALSE;
	gboolean ok = TRUE;
	g_mutex_lock(&proc->lock);
	if (proc->stdin_fd < 0) {
		ok = FALSE;
	} else {
		struct iovec iov[2] = { { text, strlen(text) }, { "\n", 1 } };
		size_t want = iov[0].iov_len + 1;
		ssize_t n;
		do
			n = writev(proc->stdin_fd, iov, 2);
		while (n < 0 && errno == EINTR);
		ok = n == (ssize_t)want;
		if (!ok) {
			/* The pipe is full (64 KiB of commands unread) or broken, or
			 * a line went out cut: the companion no longer follows. Close
			 * its input, so it finishes its output and exits. */
			close(proc->stdin_fd);
			proc->stdin_fd = -1;
		}
	}
	g_mutex_unlock(&proc->lock);
	free(text);
	return ok;
}

void rtk_proc_forward(rtk_proc *proc, uint32_t ssrc, const char *packet, size_t len)
{
	int fd = g_atomic_int_get(&proc->rtp_fd);
	if (fd < 0 || len < 12)
		return;
	char header[12];
	memcpy(header, packet, 12);
	uint32_t be = htonl(ssrc);
	memcpy(header + 8, &be, 4);
	struct iovec iov[2] = { { header, 12 }, { (char *)packet + 12, len - 12 } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

void rtk_proc_forward_rtcp(rtk_proc *proc, uint32_t ssrc, const char *packet, size_t len)
{
	int fd = g_atomic_int_get(&proc->rtp_fd);
	if (fd < 0 || len < 8)
		return;
	char header[8];
	memcpy(header, packet, 8);
	uint32_t be = htonl(ssrc);
	memcpy(header + 4, &be, 4);
	struct iovec iov[2] = { { header, 8 }, { (char *)packet + 8, len - 8 } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

void rtk_proc_close_input(rtk_proc *proc)
{
	g_mutex_lock(&proc->lock);
	if (proc->stdin_fd >= 0) {
		close(proc->stdin_fd);
		proc->stdin_fd = -1;
	}
	g_mutex_unlock(&proc->lock);
}

void rtk_proc_kill(rtk_proc *proc)
{
	if (!g_atomic_int_get(&proc->reaped))
		kill(proc->pid, SIGKILL);
}

pid_t rtk_proc_pid(const rtk_proc *proc)
{
	return proc->pid;
}
