// Everything public.
#pragma once

#include "snr/callbacks.hpp"
#include "snr/cert_chain.hpp"
#include "snr/config.hpp"
#include "snr/connection.hpp"
#include "snr/enums.hpp"
#include "snr/error.hpp"
#include "snr/poll.hpp"
#include "snr/pool.hpp"
#include "snr/psk.hpp"
#include "snr/quic.hpp"
#include "snr/security.hpp"
